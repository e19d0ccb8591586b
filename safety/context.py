"""Layer 3: context. Whether a red flag found in a message is happening now: not when it is
negated ("no chest pain"), over ("the bleeding stopped"), long ago ("a heart attack 6 years ago"),
a relative's history ("my grandpa died of a stroke"), a question about it ("what are the signs of
a stroke?"), a figure of speech ("this paperwork is killing me"), or a test, a medicine or a form
("a chest x-ray", "refill my seizure medicine"). A past tense alone ("I had a seizure") leaves a
doubt, and words of now ("just now", "this morning", "again") put it back in the present.

The cues are data (safety/data/context.yml). A first-person statement of suicidal intent is never
discounted but by a negation right before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from safety.normalize import normalize
from safety.patterns import compile_phrases

DATA = Path(__file__).resolve().parent / "data" / "context.yml"

CURRENT, DOUBTFUL, DISCOUNTED = "current", "doubtful", "discounted"
_PUNCTUATION = frozenset(".!?;:,")
SUICIDE = "suicide_self_harm"
# Who a suicidal statement is about: the first person, said before it or inside it ("end my life").
FIRST_PERSON = frozenset(
    (
        "i",
        "me",
        "myself",
        "yo",
        "matarme",
        "morirme",
        "suicidarme",
        "cortarme",
        "lastimarme",
        "quiero",
        "voy",
        "estoy",
        "tengo",
        "puedo",
        "quitarme",
        "hacerme",
        "intente",
        "ahorcarme",
        "colgarme",
        "tirarme",
        "aventarme",
        "envenenarme",
        "quemarme",
    )
)
FIRST_PERSON_INSIDE = FIRST_PERSON | {"my", "mi"}
# A question about dying that the writer says is about themselves ("asking for myself").
_ABOUT_ONESELF = re.compile(r" (asking|it is|its|this is|es|son) (for|para) (myself|me|mi)\b| what i am hoping for\b")
# A suicidal statement that opens its clause with one of these words has its subject left out, as
# texts often do ("wanna die", "been cutting again"): it is the writer's.
IMPLIED_FIRST_PERSON = frozenset(
    ("want", "wanted", "wish", "thinking", "planning", "going", "gonna", "ready", "tired", "done", "been", "cutting")
)
# A negation discounts a first-person statement of suicidal intent only when it is the statement's
# own ("no thoughts of hurting myself", "no tengo pensamientos de hacerme dano"): at most these
# words lie between. "not ok, I want to die" negates something else.
_SELF_NEGATION_REACH = 3
_SELF_NEGATION_BRIDGE = frozenset(
    ("thoughts", "thought", "of", "about", "any", "intention", "intent", "plans", "plan", "urge", "urges", "desire")
    + (
        "have",
        "had",
        "tengo",
        "tiene",
        "pensamientos",
        "pensamiento",
        "ideas",
        "de",
        "en",
        "intencion",
        "ganas",
        "planes",
    )
)
# Cues that place a red flag in the past: words of now in the same clause cancel them.
_PAST = ("past", "family", "family_after", "hypothetical", "conditional")
_HISTORY = ("long_ago", "long_ago_before", "past", "family", "family_after")


@dataclass(frozen=True)
class Reading:
    """What the context makes of one red flag: current, doubtful or discounted, and why."""

    verdict: str
    reason: str = ""


@dataclass(frozen=True)
class _Cue:
    kind: str
    where: str
    reach: int
    effect: str
    skip: frozenset
    reaches_self_harm: bool  # applies to a first-person statement of suicidal intent too
    patterns: tuple[re.Pattern, ...]  # one per phrase, so that each is found at its full length
    exceptions: tuple[re.Pattern, ...]  # where these hold the cue's words, they are no cue
    stops: tuple[re.Pattern, ...]  # words that end the cue's reach


class Context:
    def __init__(self, data: dict):
        self.breaks = compile_phrases([data["clause_breaks"]], normalize, {})
        self.recent = compile_phrases([data["recent"]], normalize, {})
        self.ongoing = compile_phrases([data["ongoing"]], normalize, {})
        self.cues = tuple(
            _Cue(
                kind,
                spec["where"],
                spec.get("reach", 0),
                spec["effect"],
                frozenset(spec.get("skip") or ()),
                bool(spec.get("self")),
                _each(spec["phrases"]),
                _each(spec.get("except") or []),
                _each([spec["stops"]] if spec.get("stops") else []),
            )
            for kind, spec in data["cues"].items()
        )

    @classmethod
    def load(cls, path: Path = DATA) -> "Context":
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def clause(self, tokens: list[str], start: int, end: int) -> tuple[int, int]:
        """The token range of the clause that holds tokens[start:end]."""
        ends = {i for i, token in enumerate(tokens) if token in _PUNCTUATION}
        padded = " " + " ".join(tokens)
        offsets = [m.start() for m in re.finditer(" ", padded)]
        for match in self.breaks.finditer(padded):
            ends.add(offsets.index(match.start()))
        low = max((i + 1 for i in ends if i < start), default=0)
        high = min((i for i in ends if i >= end), default=len(tokens))
        return low, high

    def read(self, tokens: list[str], start: int, end: int, category: str) -> Reading:
        """The context's verdict on the red flag at tokens[start:end]."""
        return self.decide(tokens, start, end, category, self.cues_around(tokens, start, end, category))

    def cues_around(self, tokens: list[str], start: int, end: int, category: str) -> list[tuple[_Cue, int]]:
        """The cues that reach the red flag at tokens[start:end], each with the words between them."""
        low, high = self.clause(tokens, start, end)
        found = []
        for cue in self.cues:
            if category in cue.skip:
                continue
            if cue.where == "later":  # anywhere after the red flag, across clauses
                gap = _nearest(cue, tokens[end:], -1, 0)
            else:
                gap = _nearest(cue, tokens[low:high], start - low, end - low)
            if gap is not None:
                found.append((cue, gap))
        return found

    def decide(self, tokens: list[str], start: int, end: int, category: str, cues: list[tuple[_Cue, int]]) -> Reading:
        """The verdict the cues that reach a red flag give: the first discount, else a doubt, else current."""
        low, high = self.clause(tokens, start, end)
        message = " " + " ".join(tokens)
        self_harm = category == SUICIDE and bool(
            FIRST_PERSON.intersection(tokens[max(low, start - 3) : start])
            or FIRST_PERSON_INSIDE.intersection(tokens[start:end])
            or (start == low and tokens[start] in IMPLIED_FIRST_PERSON)
            or _ABOUT_ONESELF.search(message)
        )
        now_in_clause = bool(self.recent.search(" " + " ".join(tokens[low:high])))
        now_in_message = now_in_clause or bool(self.recent.search(message) or self.ongoing.search(message))
        doubt = ""
        for cue, gap in cues:
            if self_harm and cue.reaches_self_harm:
                return Reading(DISCOUNTED, cue.kind)
            if self_harm:
                if cue.kind == "negated" and _negates_the_statement(tokens[start - gap : start]):
                    return Reading(DISCOUNTED, cue.kind)
                if cue.kind in _HISTORY and not now_in_clause:  # "tried last year, thinking of trying again"
                    doubt = doubt or cue.kind
                continue
            if (now_in_clause and cue.kind in _PAST) or (now_in_message and cue.effect == "doubt"):
                continue
            if cue.effect == "discount":
                return Reading(DISCOUNTED, cue.kind)
            doubt = doubt or cue.kind
        return Reading(DOUBTFUL, doubt) if doubt else Reading(CURRENT)


def _negates_the_statement(between: list[str]) -> bool:
    return len(between) <= _SELF_NEGATION_REACH and _SELF_NEGATION_BRIDGE.issuperset(between)


def _nearest(cue: _Cue, words: list[str], start: int, end: int):
    """How many words lie between the red flag and the nearest instance of the cue (0 when they
    overlap), or None when the cue is not where it must be."""
    padded = " " + " ".join(words)
    offsets = {m.start(): i for i, m in enumerate(re.finditer(" ", padded))}

    def spans(patterns):
        return [
            (offsets[m.start()], offsets[m.start()] + m.group(0).count(" "))
            for pattern in patterns
            for m in pattern.finditer(padded)
        ]

    exceptions, stops = spans(cue.exceptions), spans(cue.stops)
    best = None
    for cue_start, cue_end in spans(cue.patterns):
        if any(a < cue_end and cue_start < b for a, b in exceptions):
            continue
        if any(cue_end <= a and b <= start for a, b in stops) or any(end <= a and b <= cue_start for a, b in stops):
            continue
        if cue.where == "later":
            gap = 0
        elif cue.where == "overlaps":
            gap = 0 if cue_start < end and cue_end > start else None
        else:  # a cue that runs into the red flag counts as right before (or after) it
            before = max(0, start - cue_end) if cue_start < start else None
            after = max(0, cue_start - end) if cue_end > end else None
            gap = {"before": before, "after": after}.get(
                cue.where, min((g for g in (before, after) if g is not None), default=None)
            )
            if gap is not None and gap > cue.reach:
                gap = None
        if gap is not None and (best is None or gap < best):
            best = gap
    return best


def _each(phrases: list[str]) -> tuple[re.Pattern, ...]:
    return tuple(compile_phrases([phrase], normalize, {}) for phrase in phrases)


@lru_cache(maxsize=1)
def shared() -> Context:
    return Context.load()
