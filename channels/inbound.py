"""Checks every channel applies to a patient's message before Rasa sees it.

- Text starting with "/" would be taken by Rasa as an intent with entities
  ("/request_data_deletion"), bypassing the NLU and the red-flag check: the
  slashes are removed, so the words are understood as words.
- Control characters are removed; a message longer than MAX_CHARS is not
  processed in part: the patient is asked to send it in shorter pieces.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Optional

MAX_CHARS = 1600

TOO_LONG = (
    "Sorry, that message is too long for me (more than 1,600 characters). "
    "Please send it in shorter parts. If this is an emergency, call 911."
)
EMPTY = "I didn't receive any text. Please type your message."

_LEADING_SLASHES = re.compile(r"^(?:\s*/)+")


@dataclass(frozen=True)
class Inbound:
    """A checked message: `text` to hand to Rasa, or `reply` to send back instead."""

    text: Optional[str] = None
    reply: Optional[str] = None


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


def check(text: object) -> Inbound:
    """Clean `text` for Rasa, or say what to answer instead."""
    if not isinstance(text, str):
        return Inbound(reply=EMPTY)
    if len(text) > MAX_CHARS:
        return Inbound(reply=TOO_LONG)
    cleaned = _LEADING_SLASHES.sub("", _printable(text)).strip()
    return Inbound(text=cleaned) if cleaned else Inbound(reply=EMPTY)
