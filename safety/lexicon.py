"""Layer 2: the bilingual red-flag lexicon (safety/data/lexicon.yml), matched on normalized text,
tolerant of misspellings.

A misspelled word ("sucidal", "chset", "siezure") is read as the lexicon word it is closest to
by edit distance (rapidfuzz), with a tolerance that grows with the word's length: none under 4
letters, only two swapped letters at 4 ("pian"), one edit from 5 to 7, two from 8 on. A real
word of either language (wordfreq's frequencies) is never "corrected" ("cooking" is not
"choking").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA
from wordfreq import zipf_frequency

from safety.normalize import normalize
from safety.patterns import compile_phrases, literal_words

DATA = Path(__file__).resolve().parent / "data" / "lexicon.yml"
KINDS = ("en", "es", "ask")
STATE = "~ "  # a part of an {all: [...]} phrase written "~ pregnant" is a state, not an event
# A word at least this frequent in English or Spanish (wordfreq's Zipf scale: 2.3 is about once in
# five million words) is a real word; below it lie most misspellings ("tounge" 2.1, "pian" 2.1).
REAL_WORD_ZIPF = 2.3
_CACHE_LIMIT = 65536

Span = tuple[int, int]


@dataclass(frozen=True)
class Match:
    """A red flag found in a message: its category, the lexicon part it came from ("en", "es", or
    "ask" for a phrase too uncertain on its own), and where it is: for each part of the phrase
    (several for an {all: [...]} phrase), the token spans where that part was found."""

    category: str
    kind: str
    parts: tuple[tuple[Span, ...], ...]
    words: str
    corrected: bool  # a misspelled word was read as a lexicon word
    background: tuple[bool, ...] = ()  # per part: a state ("pregnant", "3 weeks old") the context does not judge


@dataclass(frozen=True)
class _Rules:
    phrases: Optional[re.Pattern]  # the single phrases, as one pattern
    all_of: tuple[tuple[re.Pattern, ...], ...]  # the {all: [...]} phrases
    background: tuple[tuple[bool, ...], ...]  # per {all: [...]} phrase, which parts are states ("~ ...")


@dataclass(frozen=True)
class Category:
    name: str
    line: str
    rules: dict[str, _Rules]
    excluded: tuple[re.Pattern, ...]  # one per look-alike, so that each is found at its full length


class Lexicon:
    def __init__(self, data: dict):
        lists = data.get("lists") or {}
        compile_ = lambda phrases: compile_phrases(phrases, normalize, lists)  # noqa: E731
        self.categories: list[Category] = []
        written: list[str] = []
        for name, spec in data["categories"].items():
            rules = {}
            for kind in KINDS:
                entries = spec.get(kind) or []
                single = [e for e in entries if isinstance(e, str)]
                all_of = [e["all"] for e in entries if isinstance(e, dict)]
                states = tuple(tuple(part.startswith(STATE) for part in parts) for parts in all_of)
                all_of = [[part.removeprefix(STATE) for part in parts] for parts in all_of]
                written += single + [part for parts in all_of for part in parts]
                rules[kind] = _Rules(
                    compile_(single) if single else None,
                    tuple(tuple(compile_([part]) for part in parts) for parts in all_of),
                    states,
                )
            self.categories.append(
                Category(name, spec["line"], rules, tuple(compile_([phrase]) for phrase in spec.get("not") or []))
            )
        self.lines = {category.name: category.line for category in self.categories}
        self.vocabulary = frozenset(w for w in literal_words(written, normalize, lists) if w.isalpha() and len(w) >= 4)
        self._by_length: dict[int, list[str]] = {}
        for word in sorted(self.vocabulary):
            self._by_length.setdefault(len(word), []).append(word)
        self._corrections: dict[str, Optional[str]] = {}

    @classmethod
    def load(cls, path: Path = DATA) -> "Lexicon":
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def correct(self, tokens: list[str]) -> tuple[list[str], set[int]]:
        """The tokens with misspelled lexicon words corrected, and the positions corrected."""
        corrected = [self._closest(token) or token for token in tokens]
        return corrected, {i for i, (a, b) in enumerate(zip(tokens, corrected)) if a != b}

    def _closest(self, token: str) -> Optional[str]:
        """The lexicon word a misspelled `token` stands for, if any."""
        if token not in self._corrections:
            if len(self._corrections) > _CACHE_LIMIT:
                self._corrections.clear()
            self._corrections[token] = self._search(token)
        return self._corrections[token]

    def _search(self, token: str) -> Optional[str]:
        if len(token) < 4 or not token.isalpha() or token in self.vocabulary or _real_word(token):
            return None
        reach = 1 if len(token) <= 7 else 2
        # Lengths within one letter: "balonazo" is no "balazo", however close their letters.
        candidates = [w for n in range(len(token) - 1, len(token) + 2) for w in self._by_length.get(n, ())]
        if len(token) == 4:  # four letters: two letters swapped, nothing else
            candidates = [w for w in candidates if sorted(w) == sorted(token)]
        close = process.extract(token, candidates, scorer=OSA.distance, score_cutoff=reach, limit=None)
        # The closest; among equals the alphabetically first, so that the same word always wins.
        return min(close, key=lambda found: (found[1], found[0]))[0] if close else None

    def find(self, tokens: list[str], fuzzy: bool = True) -> tuple[list[Match], list[str]]:
        """Every red flag in the normalized `tokens`, and the tokens as read (misspellings corrected)."""
        corrected, changed = self.correct(tokens) if fuzzy else (tokens, set())
        padded = " " + " ".join(corrected)
        starts = {offset: index for index, offset in enumerate(m.start() for m in re.finditer(" ", padded))}
        found = []
        for category in self.categories:
            excluded = [span for pattern in category.excluded for span in _spans(pattern, padded, starts)]
            for kind, rules in category.rules.items():
                for span in _kept(rules.phrases, padded, starts, excluded) if rules.phrases else ():
                    found.append(self._match(category, kind, ((span,),), corrected, changed))
                for parts, states in zip(rules.all_of, rules.background):
                    spans = tuple(_kept(part, padded, starts, excluded) for part in parts)
                    if all(spans):
                        found.append(self._match(category, kind, spans, corrected, changed, states))
        return found, corrected

    @staticmethod
    def _match(
        category: Category,
        kind: str,
        parts: tuple[tuple[Span, ...], ...],
        corrected: list[str],
        changed: set[int],
        background: tuple[bool, ...] = (),
    ) -> Match:
        first = [spans[0] for spans in parts]
        return Match(
            category.name,
            kind,
            parts,
            " / ".join(" ".join(corrected[a:b]) for a, b in first),
            any(i in changed for a, b in first for i in range(a, b)),
            background,
        )


def _kept(pattern: re.Pattern, padded: str, starts: dict[int, int], excluded: list[Span]) -> tuple[Span, ...]:
    """Where `pattern` is found, but inside a look-alike."""
    return tuple(
        span for span in _spans(pattern, padded, starts) if not any(s <= span[0] and span[1] <= e for s, e in excluded)
    )


def _spans(pattern: re.Pattern, padded: str, starts: dict[int, int]) -> tuple[Span, ...]:
    spans = []
    for match in pattern.finditer(padded):
        start = starts[match.start()]
        spans.append((start, start + match.group(0).count(" ")))
    return tuple(spans)


@lru_cache(maxsize=_CACHE_LIMIT)
def _real_word(token: str) -> bool:
    return max(zipf_frequency(token, "en"), zipf_frequency(token, "es")) >= REAL_WORD_ZIPF
