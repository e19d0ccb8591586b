"""Red flags: the deterministic emergency check that runs on every patient message.

The table below is meant to be read and changed by a clinician. Each row names a
category, the guidance line the patient is given, and phrases (regular
expressions over lower-case text with apostrophes removed: "can't" is "cant").
A phrase counts only when it is not negated earlier in the same clause
("no chest pain", "I'm not suicidal", "denies trouble breathing") and not
placed in the past history ("history of seizures", "a stroke in 2019").

Mild complaints ("a mild runny nose", "my ankle is a little sore") match no row.
This module imports nothing from Rasa: the NLU component and the channels both use it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

# Which emergency line leads the answer.
CALL_911 = "call_911"
CRISIS_988 = "crisis_988"
POISON_CONTROL = "poison_control"

_PRONOUN = r"(?:my|his|her|their|our|the)"

RED_FLAGS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # category, guidance, phrases
    ("chest pain", CALL_911, (
        r"chest (?:pain|pains|pressure|tightness)",
        r"(?:crushing|squeezing|stabbing|sharp|severe) (?:pain )?(?:in|on) " + _PRONOUN + r" chest",
        r"pain in " + _PRONOUN + r" chest",
        r"chest (?:is |feels )?(?:hurting|hurts|tight|crushed|heavy)",
        r"heart attack",
        r"pain (?:going |spreading |radiating )?(?:down|into|to) " + _PRONOUN + r" (?:left )?(?:arm|jaw)",
    )),
    ("stroke signs", CALL_911, (
        r"stroke",
        r"face (?:is |looks |seems )?(?:drooping|droopy|drooped|sagging|numb)",
        r"(?:drooping|droopy) (?:face|mouth|eye)",
        r"slurr(?:ed|ing)",
        r"(?:cant|cannot|unable to) (?:move|lift|raise|feel) " + _PRONOUN + r" (?:left |right )?(?:arm|leg|face)",
        r"(?:sudden(?:ly)?|one side of " + _PRONOUN + r" (?:body|face)(?: is| went| feels)?) (?:numb|weak|paralyzed)",
        r"(?:cant|cannot) (?:talk|speak) (?:properly|right|clearly)",
        r"worst headache of (?:my|his|her|their) life",
    )),
    ("breathing", CALL_911, (
        r"(?:cant|cannot|can not|unable to|struggling to|hard to|trouble|difficulty) breath(?:e|ing)?\b",
        r"(?:not|isnt|stopped|quit) breathing",
        r"gasping for (?:air|breath)",
        r"choking",
        r"turning blue|lips (?:are |look )?blue|blue lips",
        r"severe(?:ly)? short(?:ness)? of breath",
    )),
    ("unresponsive", CALL_911, (
        r"unconscious",
        r"unresponsive",
        r"(?:not|isnt|wont|doesnt|stopped) (?:responding|waking up|wake up)",
        r"(?:cant|cannot|unable to) wake (?:him|her|them|my \w+|up)",
        r"collapsed",
        r"passed out and",
        r"no pulse",
    )),
    ("seizure", CALL_911, (
        r"seiz(?:ure|ures|ing)",
        r"convuls(?:ing|ion|ions)",
    )),
    ("suicide or self-harm", CRISIS_988, (
        r"(?:kill|hurt|harm|cut) (?:my|him|her|them)sel(?:f|ves)",
        r"killing (?:my|him|her|them)sel(?:f|ves)",
        r"suicid",
        r"end (?:my|his|her|their) (?:own )?life",
        r"take (?:my|his|her|their) (?:own )?life",
        r"(?:want|wanna|going|planning) to die",
        r"(?:dont|do not) want to (?:live|be alive|wake up)",
        r"better off dead",
        r"no reason to live",
        r"self[- ]?harm",
    )),
    ("overdose", POISON_CONTROL, (
        r"overdos(?:e|ed|ing)",
        r"(?:took|taken|swallowed|ate) (?:a |an |the )?(?:whole |entire |full )?(?:bottle|handful|box|pack|packet|lot|bunch) of",
        r"(?:took|taken|swallowed|had) (?:way )?too (?:many|much)",
        r"(?:took|taken|ate|swallowed) (?:\w+ )?(?:pills|tablets) (?:by accident|accidentally)",
        r"accidentally (?:took|swallowed|ate) (?:\w+ )?(?:pills|tablets|medication|medicine)",
        r"(?:swallowed|ate|took) (?:some|several|a few|all|a bunch) of (?:my|his|her|their|the) (?:\w+ ){0,3}(?:pills|tablets|medicines?|medications?|meds)",
    )),
    ("poisoning", POISON_CONTROL, (
        r"poison(?:ed|ing)?\b",
        r"(?:swallowed|drank|drunk|ate|eaten|ingested) (?:some |a |the )?(?:\w+ )?(?:bleach|detergent|antifreeze|battery|batteries|chemicals?|cleaner|drain cleaner|pesticide|laundry pod|gasoline|lye)",
        r"carbon monoxide",
        # a young child who swallowed something
        r"(?:baby|toddler|infant|child|kid|son|daughter|\d+ ?(?:year|yr|month)s? old)(?: \w+){0,3} "
        r"(?:swallowed|drank|ate|got into) (?:\w+ ){0,5}(?:pills|tablets|medicines?|medications?|meds|"
        r"batter(?:y|ies)|magnets?|bleach|detergent|laundry pods?|cleaner|chemicals?|vitamins|nicotine|vape)",
    )),
    ("severe bleeding", CALL_911, (
        r"(?:wont|will not|cant|cannot|doesnt|does not) stop bleeding",
        r"bleeding (?:heavily|badly|a lot|everywhere|profusely|nonstop|non stop|out)",
        r"(?:heavy|severe|uncontrolled|uncontrollable) bleeding",
        r"(?:lots|lot|pool) of blood|blood everywhere",
        r"(?:coughing|throwing|vomiting|puking) (?:up )?blood",
    )),
    ("anaphylaxis", CALL_911, (
        r"anaphyla",
        r"throat (?:is |feels )?(?:closing|swelling|swollen shut|tight)",
        r"(?:tongue|lips|face) (?:is |are )?(?:swelling|swollen) (?:up )?(?:after|from|and)",
        r"severe allergic reaction",
        r"(?:need|used|using|use) (?:an |my |his |her )?epi ?pen",
    )),
)

# Words that negate a phrase when they come before it in the same clause.
_NEGATIONS = re.compile(
    r"\b(?:no|not|never|without|denies|deny|denied|nor|none|neither|"
    r"dont|doesnt|didnt|isnt|arent|wasnt|havent|hasnt|no sign of|free of)\b"
)
# Words that place a phrase in the patient's history rather than now.
_HISTORY_BEFORE = re.compile(r"\b(?:history of|previous|prior|past|family history)\b")
_HISTORY_AFTER = re.compile(
    r"^\W*(?:\w+ ){0,3}?(?:years ago|months ago|last year|in (?:19|20)\d\d|as a (?:child|kid|teen)|when i was)"
)
# A negation or history word reaches forward at most this many words.
_REACH = 4
_CLAUSE_BREAK = re.compile(r"[.,;:!?]|\b(?:but|however|although|though|and now|yet)\b")


@dataclass(frozen=True)
class RedFlag:
    """One recognised emergency: what it is, which line leads, and the words that matched."""

    category: str
    guidance: str
    phrase: str


_COMPILED = tuple(
    (category, guidance, re.compile(r"\b(?:" + "|".join(phrases) + r")"))
    for category, guidance, phrases in RED_FLAGS
)


def normalize(text: str) -> str:
    """Lower-case, drop apostrophes, collapse whitespace."""
    text = text.lower().replace("\u2019", "'").replace("'", "").replace("`", "")
    return re.sub(r"\s+", " ", text).strip()


def _discounted(text: str, start: int, end: int) -> bool:
    """True when the phrase at text[start:end] is negated or lies in the past history."""
    before = " ".join(_CLAUSE_BREAK.split(text[:start])[-1].split()[-_REACH:])
    after = _CLAUSE_BREAK.split(text[end:])[0]
    return bool(
        _NEGATIONS.search(before) or _HISTORY_BEFORE.search(before) or _HISTORY_AFTER.search(after)
    )


def detect(text: str) -> Optional[RedFlag]:
    """Return the first red flag in `text`, or None."""
    norm = normalize(text)
    for category, guidance, pattern in _COMPILED:
        for match in pattern.finditer(norm):
            if not _discounted(norm, match.start(), match.end()):
                return RedFlag(category, guidance, match.group(0))
    return None
