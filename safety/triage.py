"""Triage of intake answers: where the patient should go, never what they have.

One table, read top to bottom; the first rule that matches decides. A clinician can
change a rule's words or thresholds here without touching anything else.

    level      when
    emergency  the answers are an emergency (safety.assess, its readable rules only: no backstop)
    urgent     the answers may be one (safety's middle band: the patient said no one is in danger now)
    urgent     severity 8 or more
    urgent     high fever, can't keep fluids down, blood in urine, stool or vomit,
               severe pain, pregnancy with bleeding or pain, sudden vision or hearing loss,
               symptoms getting quickly worse, a baby under 3 months with a fever
    self_care  only mild cold-like symptoms, for less than 7 days, severity 3 or less
    routine    everything else
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Optional

from safety.assessment import ASK, assess
from safety.assessment import EMERGENCY as EMERGENCY_LEVEL

EMERGENCY, URGENT, ROUTINE, SELF_CARE = "emergency", "urgent", "routine", "self_care"

URGENT_WORDS = re.compile(
    r"high fever|fever (?:of |over |above )?(?:10[3-9]|39\.[4-9]|4\d)|can'?t keep (?:anything|fluids|water) down|"
    r"blood in (?:my |his |her )?(?:urine|pee|stool|poop|vomit)|vomiting blood|severe pain|unbearable|"
    r"pregnan\w* .*(?:bleeding|pain)|(?:bleeding|pain) .*pregnan|"
    r"sudden(?:ly)? (?:can'?t see|lost (?:my )?(?:vision|hearing)|blurr?y vision)|"
    r"getting (?:much |a lot |quickly )?worse|worse(?:ning)? (?:fast|quickly)|"
    r"(?:baby|infant|newborn).*fever|fever.*(?:baby|infant|newborn)",
    re.I,
)
MILD_WORDS = re.compile(
    r"runny nose|stuffy nose|congest|sneez|sore throat|scratchy throat|mild cough|\bcough\b|"
    r"\bcold\b|sniffl|blocked nose|post ?nasal",
    re.I,
)
NOT_MILD_WORDS = re.compile(
    r"fever|short(?:ness)? of breath|wheez|chest|rash|vomit|diarrh|pain|bleed|swell|dizz|"
    r"faint|confus",
    re.I,
)


@dataclass(frozen=True)
class Answers:
    reason: str = ""
    symptoms: str = ""
    since_days: Optional[int] = None
    severity: Optional[int] = None
    conditions: str = ""

    @property
    def said(self) -> str:
        return f"{self.reason}. {self.symptoms}. {self.conditions}"


@dataclass(frozen=True)
class Triage:
    level: str
    rule: str


@lru_cache(maxsize=256)
def _level(said: str) -> str:
    return assess(said, statistical=False).level


def _red_flag(a: Answers) -> bool:
    return _level(a.said) == EMERGENCY_LEVEL


def _possible_red_flag(a: Answers) -> bool:
    return _level(a.said) == ASK


def _severe(a: Answers) -> bool:
    return a.severity is not None and a.severity >= 8


def _urgent_words(a: Answers) -> bool:
    return bool(URGENT_WORDS.search(a.said))


def _mild_cold(a: Answers) -> bool:
    complaint = f"{a.reason}. {a.symptoms}"
    return (
        bool(MILD_WORDS.search(complaint))
        and not NOT_MILD_WORDS.search(complaint)
        and a.since_days is not None
        and a.since_days < 7
        and a.severity is not None
        and a.severity <= 3
    )


RULES: tuple[tuple[str, str, Callable[[Answers], bool]], ...] = (
    (EMERGENCY, "a red flag in an answer", _red_flag),
    (URGENT, "a possible red flag in an answer", _possible_red_flag),
    (URGENT, "severity 8 or more", _severe),
    (URGENT, "urgent warning signs", _urgent_words),
    (SELF_CARE, "mild cold-like symptoms for less than a week, severity 3 or less", _mild_cold),
    (ROUTINE, "everything else", lambda a: True),
)


def triage(answers: Answers) -> Triage:
    for level, rule, matches in RULES:
        if matches(answers):
            return Triage(level, rule)
    raise AssertionError("the last rule always matches")


_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "few": 3,
    "couple": 2,
    "several": 4,
}
_UNITS = {"hour": 0, "day": 1, "night": 1, "week": 7, "month": 30, "year": 365}


def days_since(text: str) -> Optional[int]:
    """How many days "since when" means: "3 days" 3, "a week" 7, "yesterday" 1, "this morning" 0."""
    text = text.lower()
    if re.search(r"\b(today|this morning|tonight|this afternoon|an hour|few hours|hours)\b", text):
        return 0
    if re.search(r"\bday before yesterday\b", text):
        return 2
    if re.search(r"\b(yesterday|last night)\b", text):
        return 1
    match = re.search(
        r"\b(\d+|a|an|one|two|three|four|five|six|seven|few|couple|several)\s+(?:of\s+)?"
        r"(hour|day|night|week|month|year)s?\b",
        text,
    )
    if match:
        count = int(match.group(1)) if match.group(1).isdigit() else _NUMBER_WORDS[match.group(1)]
        return count * _UNITS[match.group(2)]
    if re.search(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|last week|the weekend)\b", text):
        return 5
    return None
