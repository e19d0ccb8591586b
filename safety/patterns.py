"""The small pattern language of the safety data files (lexicon.yml, context.yml), compiled to
regular expressions over normalized text (safety/normalize.py).

    chest pain             the words in this order
    (pain|pressure)        one of these (each may be several words)
    [very] or (very)?      optional
    suicid*  *ing          any word starting so, any word ending so
    #  #20-69              any number ("101.2" too), a number in that range
    ...                    up to four other words in between, within the clause
    ^  $                   the start, the end of the message (the whole message: ^ help me $)
    @someone               a list defined under `lists:` in the same file

Words are written as people write them ("can't breathe"): they are normalized like messages,
so both sides agree.
"""

from __future__ import annotations

import re
from typing import Callable, Mapping

_SYNTAX = re.compile(r"\.\.\.|\)\?|[()\[\]|^$]|@\w+|#(?:\d+-\d+)?|[^\s()\[\]|^$]+")
_ANCHORS = {"^": r"^(?: [.,;:!?])*", "$": r"(?: [.,;:!?])*$"}
GAP = r"(?: [a-z0-9.]+){0,4}"
NUMBER = r" [0-9]+(?:\.[0-9]+)?"
_WORD = r"[a-z0-9]*"


class PatternError(ValueError):
    """A phrase of a data file that cannot be read; the message says which and why."""


class _Compiler:
    def __init__(self, normalize: Callable[[str], str], lists: Mapping[str, str]):
        self.normalize, self.lists, self.expanding = normalize, lists, []

    def compile(self, phrase: str) -> str:
        tokens = _SYNTAX.findall(phrase)
        try:
            regex, rest = self._alternation(tokens, phrase)
        except PatternError as error:
            raise PatternError(f"{error} in {phrase!r}") from None
        if rest:
            raise PatternError(f"unexpected {rest[0]!r} in {phrase!r}")
        return regex

    def _alternation(self, tokens: list[str], phrase: str) -> tuple[str, list[str]]:
        options = []
        while True:
            option, tokens = self._sequence(tokens, phrase)
            options.append(option)
            if not tokens or tokens[0] != "|":
                break
            tokens = tokens[1:]
        return (options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"), tokens

    def _sequence(self, tokens: list[str], phrase: str) -> tuple[str, list[str]]:
        parts, words = [], []  # consecutive plain words are normalized together ("could not" -> "can not")
        while tokens and tokens[0] not in ("|", ")", ")?", "]"):
            token, tokens = tokens[0], tokens[1:]
            if token[0] not in "([.@#*^$" and not token.endswith("*"):
                words.append(token)
                continue
            if words:
                parts.append(self._words(" ".join(words)))
                words = []
            if token in ("(", "["):
                inner, tokens = self._alternation(tokens, phrase)
                closing = (")", ")?") if token == "(" else ("]",)
                if not tokens or tokens[0] not in closing:
                    raise PatternError(f"{token!r} without {closing[0]!r} in {phrase!r}")
                optional = tokens[0] != ")"
                tokens = tokens[1:]
                parts.append(f"(?:{inner})?" if optional else f"(?:{inner})")
            elif token == "...":
                parts.append(GAP)
            elif token in _ANCHORS:
                parts.append(_ANCHORS[token])
            elif token.startswith("@"):
                parts.append(f"(?:{self._list(token[1:], phrase)})")
            elif token.startswith("#"):
                parts.append(_number(token[1:]))
            elif token.startswith("*"):
                parts.append(" " + _WORD + re.escape(self.normalize(token[1:])))
            else:
                parts.append(self._words(token.rstrip("*")) + _WORD)
        if words:
            parts.append(self._words(" ".join(words)))
        return "".join(parts), tokens

    def _list(self, name: str, phrase: str) -> str:
        if name not in self.lists:
            raise PatternError(f"unknown list @{name} in {phrase!r}")
        if name in self.expanding:
            raise PatternError(f"list @{name} refers to itself")
        self.expanding.append(name)
        try:
            return self.compile(self.lists[name])
        finally:
            self.expanding.pop()

    def _words(self, text: str) -> str:
        words = self.normalize(text).split()
        if not words or any(not word[0].isalnum() for word in words):
            raise PatternError(f"{text!r} must be words (optional parts are written [a] or (a)?)")
        return "".join(" " + re.escape(word) for word in words)


def _number(bounds: str) -> str:
    """A number, or one from `low-high` ("20-69"; decimals are read by their whole part)."""
    if not bounds:
        return NUMBER
    low, high = map(int, bounds.split("-"))
    if high - low > 2000:
        raise PatternError(f"the range #{bounds} is too wide")
    return " (?:" + "|".join(map(str, range(low, high + 1))) + r")(?:\.[0-9]+)?"


def compile_phrases(phrases: list[str], normalize: Callable[[str], str], lists: Mapping[str, str]) -> re.Pattern:
    """One regex for all `phrases`, to search in " " + normalized text (each match starts with a space)."""
    compiler = _Compiler(normalize, lists)
    return re.compile("(?:" + "|".join(compiler.compile(p) for p in phrases) + ")(?= |$)")


def literal_words(phrases: list[str], normalize: Callable[[str], str], lists: Mapping[str, str]) -> set[str]:
    """Every whole word the phrases (and the lists they use) spell out; `word*` stems excluded."""
    words: set[str] = set()
    for text in [*phrases, *lists.values()]:
        for token in _SYNTAX.findall(text):
            if token[0] not in "()[]|@.#*^$" and not token.endswith("*"):
                words.update(normalize(token).split())
    return words
