"""Layer 1: normalization. A message becomes lower-case words and punctuation marks separated
by single spaces, the way the lexicon is written:

- case, accents ("pérdida" is "perdida"), typographic apostrophes, and apostrophes themselves
  ("can't" is "cant");
- letters repeated for emphasis ("pleeeease", "helppp") down to two;
- emoji that signal means or harm (pills, a knife, a gun, blood) become their words;
- texting slang and common spellings ("kms", "od'd", "unalive", "q", "xq") become the words
  they stand for;
- an e-mail address or a web address is one word, "email" or "link", whatever its words.

The emoji, slang and spellings are data (safety/data/normalization.yml), which a clinician can extend.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data" / "normalization.yml"

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u02bc": "'"})
_REPEATS = re.compile(r"([a-z])\1{2,}")
_ADDRESSES = ((re.compile(r"\S+@\S+\.\w+"), " email "), (re.compile(r"(?:https?://|www\.)\S+"), " link "))
# Words, numbers ("101.2" is one), and each punctuation mark that can end a clause.
_TOKEN = re.compile(r"[0-9]+(?:\.[0-9]+)?|[a-z0-9]+|[.,;:!?]")


@dataclass(frozen=True)
class _Rules:
    emoji: dict[str, str]
    apostrophe_forms: tuple[tuple[re.Pattern, str], ...]  # read while the apostrophe is still there
    words: dict[str, str]  # one token -> the words it stands for
    phrases: re.Pattern  # several tokens -> the words they stand for
    phrase_words: dict[str, str]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    phrases = data["phrases"]
    return _Rules(
        emoji={symbol: f" {words} " for symbol, words in data["emoji"].items()},
        apostrophe_forms=tuple(
            (re.compile(rf"(?<![\w']){form}(?![\w'])"), words) for form, words in data["apostrophe_forms"].items()
        ),
        words=data["words"],
        phrases=re.compile(
            r"(?<!\S)(?:" + "|".join(map(re.escape, sorted(phrases, key=len, reverse=True))) + r")(?!\S)"
        ),
        phrase_words=phrases,
    )


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize(text: str) -> str:
    """The message as the lexicon reads it: "I CAN'T breathe!!! 💊" -> "i cant breathe ! ! ! pills"."""
    rules = _rules()
    for symbol, words in rules.emoji.items():
        if symbol in text:
            text = text.replace(symbol, words)
    for address, word in _ADDRESSES:
        text = address.sub(word, text)
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()
    for form, words in rules.apostrophe_forms:
        text = form.sub(words, text)
    text = _REPEATS.sub(r"\1\1", strip_accents(text).replace("'", ""))
    text = " ".join(rules.words.get(token, token) for token in _TOKEN.findall(text))
    return rules.phrases.sub(lambda match: rules.phrase_words[match.group(0)], text)
