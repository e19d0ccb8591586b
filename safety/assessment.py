"""Whether a message is an emergency: the layers put together.

1. normalization (normalize.py),  2. the bilingual lexicon, tolerant of misspellings (lexicon.py),
3. the context of each red flag (context.py),  4. the statistical backstop (backstop.py),
5. the middle band: when the evidence is uncertain, the level is ASK, and the assistant asks
   "Are you or someone with you in danger right now?".

A red flag the context keeps as current is an emergency. One the context discounts is not, and
the backstop does not overrule it. One it doubts, an `ask` phrase, or a misspelled red flag the
backstop does not confirm, asks; unless the backstop finds a message long enough to judge very
likely an emergency, and then it is one. With no red flag, the backstop alone decides: very
likely an emergency, or likely enough to ask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from safety import language
from safety.backstop import Backstop
from safety.context import CURRENT, DISCOUNTED, Context
from safety.lexicon import Lexicon, Match
from safety.normalize import normalize

EMERGENCY, ASK, NONE = "emergency", "ask", "none"
CALL_911, CRISIS_988, POISON_CONTROL = "call_911", "crisis_988", "poison_control"

# The backstop's probability above which a message with no red flag is an emergency, or asks; chosen
# on batches of examples the backstop was not trained on (docs/safety.md). Messages shorter than
# BACKSTOP_MIN_WORDS are left to the lexicon: "ok", "hola" or "Y" tell a model nothing.
BACKSTOP_EMERGENCY = 0.8
BACKSTOP_ASK = 0.75
BACKSTOP_MIN_WORDS = 3
# A misspelled red flag is an emergency when the backstop gives it at least this.
BACKSTOP_CONFIRMS = 0.5
# A doubtful red flag is an emergency when the backstop gives it BACKSTOP_EMERGENCY in a message of
# at least these words: a short one ("help", "my chest feels weird") tells the model too little.
BACKSTOP_OVERRULES_DOUBT_WORDS = 10
# When several categories are found, the guidance of the first in this order leads.
_PRIORITY = ("suicide_self_harm", "overdose_poisoning")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


@dataclass(frozen=True)
class Assessment:
    """What the assistant makes of a message."""

    level: str  # EMERGENCY, ASK or NONE
    category: Optional[str] = None
    line: Optional[str] = None  # CALL_911, CRISIS_988 or POISON_CONTROL: which guidance leads
    language: str = language.ENGLISH
    evidence: tuple[str, ...] = field(default=())  # the words that decided

    @property
    def emergency(self) -> bool:
        return self.level == EMERGENCY


@dataclass(frozen=True)
class Layers:
    """Which layers run (all, in production; the report measures each on its own)."""

    normalize: bool = True
    fuzzy: bool = True
    context: bool = True
    backstop: bool = True
    ask: bool = True


ALL = Layers()


class Assessor:
    def __init__(self, lexicon: Lexicon, context: Context, backstop: Optional[Backstop], layers: Layers = ALL):
        self.lexicon, self.context, self.backstop, self.layers = lexicon, context, backstop, layers

    def assess(self, text: str) -> Assessment:
        norm = normalize(text) if self.layers.normalize else " ".join(re.findall(r"\w+|[.,;:!?]", text.lower()))
        matches, tokens = self.lexicon.find(norm.split(), fuzzy=self.layers.fuzzy)
        verdicts = [(match, self._verdict(tokens, match)) for match in matches]
        live = [m for m, verdict in verdicts if verdict == CURRENT and m.kind != "ask"]
        sure = [m for m in live if not m.corrected]
        doubtful = [m for m, verdict in verdicts if verdict != DISCOUNTED and m not in sure]
        lang = self._language(text, matches)
        if sure:
            return self._found(EMERGENCY, sure, lang)
        chance = self._chance(norm)
        if live and (chance >= BACKSTOP_CONFIRMS or not self.layers.backstop):
            return self._found(EMERGENCY, live, lang)
        if doubtful and chance >= BACKSTOP_EMERGENCY and len(norm.split()) >= BACKSTOP_OVERRULES_DOUBT_WORDS:
            return self._found(EMERGENCY, doubtful, lang)
        if doubtful:
            return self._found(ASK if self.layers.ask else NONE, doubtful, lang)
        if matches or chance < BACKSTOP_ASK or len(norm.split()) < BACKSTOP_MIN_WORDS:
            return Assessment(NONE, language=lang)
        category = self.backstop.category(norm)
        level = EMERGENCY if chance >= BACKSTOP_EMERGENCY else ASK if self.layers.ask else NONE
        return Assessment(level, category, self.lexicon.lines[category], lang, (f"backstop {chance:.2f}",))

    def _verdict(self, tokens: list[str], match: Match) -> str:
        if not self.layers.context:
            return CURRENT
        verdicts = []
        for index, spans in enumerate(match.parts):  # a part counts when any place it was found counts
            if index < len(match.background) and match.background[index]:
                continue  # a state ("pregnant", "3 weeks old"): no context judges it
            readings = [self.context.read(tokens, start, end, match.category).verdict for start, end in spans]
            verdicts.append(
                CURRENT if CURRENT in readings else DISCOUNTED if all(r == DISCOUNTED for r in readings) else "doubtful"
            )
        return DISCOUNTED if DISCOUNTED in verdicts else CURRENT if all(v == CURRENT for v in verdicts) else "doubtful"

    def _chance(self, norm: str) -> float:
        """The backstop's P(emergency): the highest over the whole message and each sentence."""
        if not (self.layers.backstop and self.backstop):
            return 0.0
        sentences = [s for s in _SENTENCE.split(norm) if s.strip()]
        return max(self.backstop.probability([norm, *sentences]))

    def _found(self, level: str, matches: list[Match], lang: str) -> Assessment:
        categories = list(dict.fromkeys(m.category for m in matches))
        lead = next((c for c in _PRIORITY if c in categories), categories[0])
        lines = {self.lexicon.lines[c] for c in categories}
        line = self.lexicon.lines[lead] if len(lines) == 1 else CALL_911
        return Assessment(level, lead, line, lang, tuple(dict.fromkeys(m.words for m in matches)))

    @staticmethod
    def _language(text: str, matches: list[Match]) -> str:
        found = {m.kind for m in matches if m.kind in (language.ENGLISH, language.SPANISH)}
        clear = language.confident_language(text)
        if clear:
            return clear
        return found.pop() if len(found) == 1 else language.ENGLISH


@lru_cache(maxsize=2)
def shared(statistical: bool = True) -> Assessor:
    from safety import backstop, context

    if not statistical:
        return Assessor(Lexicon.load(), context.shared(), None, Layers(backstop=False))
    return Assessor(Lexicon.load(), context.shared(), backstop.shared())


def assess(text: str, statistical: bool = True) -> Assessment:
    """The one public function: the emergency assessment of a patient's message. `statistical=False`
    leaves the backstop out, so that only rules a clinician can read decide (the intake's triage)."""
    return shared(statistical).assess(text)
