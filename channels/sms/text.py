"""Text as SMS carries it: single-segment parts.

A segment holds 160 GSM-7 characters (the characters of the extension table,
such as "€" or "[", take two), or 70 UTF-16 code units once any character is
outside GSM-7 (an emoji takes two). Replies are split into parts of one segment
each, at spaces or line breaks, so that no word is cut unless it alone is longer
than a segment.
"""

from __future__ import annotations

import re

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")
GSM7_LIMIT, UCS2_LIMIT = 160, 70


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def _cost(text: str, gsm7: bool) -> int:
    if gsm7:
        return sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> list[str]:
    """`text` in parts that each fit one SMS segment, split between words."""
    text = text.strip()
    gsm7 = is_gsm7(text)
    limit = GSM7_LIMIT if gsm7 else UCS2_LIMIT
    parts: list[str] = []
    current = ""
    for token in re.findall(r"\s*\S+", text):
        if _cost(current + token, gsm7) <= limit:
            current += token
            continue
        if current:
            parts.append(current)
        word = token.lstrip()
        while _cost(word, gsm7) > limit:  # a "word" longer than a segment (a long link) must be cut
            cut = limit
            while _cost(word[:cut], gsm7) > limit:
                cut -= 1
            parts.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        parts.append(current)
    return parts
