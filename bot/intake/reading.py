"""What a patient's message already says for the health intake: the reason, the symptoms, since
when, how bad (0-10) and ongoing conditions, so that the intake asks only for the rest.

"I have had a sore throat and fever for 3 days" gives the reason, two symptoms and since when;
"it's like an 8 out of 10" the severity; "I'm type 2 diabetic btw" a condition. Rules, not the
model: a number is a severity only when the words say so ("a 6 out of 10", "pain is around 6"),
never the 3 of "3 days". Symptoms and conditions are found from lists of common words and kept
as the patient wrote them.
"""

from __future__ import annotations

import re
from typing import Optional

_NUMBER = r"(10|\d|zero|one|two|three|four|five|six|seven|eight|nine|ten)"
_NUMBER_WORDS = {w: n for n, w in enumerate("zero one two three four five six seven eight nine ten".split())}
_UNIT = r"(?:hours?|hrs?|days?|nights?|weeks?|wks?|months?|years?)"
_COUNT = (
    r"(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|a few|a couple(?: of)?|few|couple(?: of)?|several)"
)
_SINCE = re.compile(
    rf"\b(?:for|since|over|the past|the last|past|last|been)\s+(?:(?:about|around|nearly|almost|like|over|roughly)\s+)?"
    rf"{_COUNT}\s+{_UNIT}(?:\s+(?:ago|now))?\b"
    rf"|\b{_COUNT}\s+{_UNIT}\s+(?:ago|now)\b"
    r"|\b(?:since|started|starting|began|from)\s+(?:(?:on|last)\s+)?(?:the day before yesterday|yesterday|last night|"
    r"this morning|last week|the weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\b(?:the day before yesterday|yesterday|last night|this morning|since this morning)\b",
    re.I,
)
_NOT_A_SEVERITY = r"(?!\s*(?:/\s*\d\d|%|:|\d|" + _UNIT + r"|am\b|pm\b|times\b|x\b|mg\b))"
_SEVERITY = (
    re.compile(rf"\b{_NUMBER}\s*(?:/|out of)\s*10\b", re.I),
    re.compile(
        rf"\b(?:pain|severity|it|it'?s|its|level|score)\s+(?:is\s+|was\s+|at\s+|of\s+|to\s+|about\s+|around\s+|"
        rf"like\s+|maybe\s+|probably\s+)*(?:an?\s+)?(?:solid\s+|strong\s+|good\s+)?{_NUMBER}\b{_NOT_A_SEVERITY}",
        re.I,
    ),
    re.compile(
        rf"\b(?:i'?d say|i would say|maybe|rate it|rated|call it|like)\s+(?:an?\s+)?(?:solid\s+)?{_NUMBER}\b"
        rf"{_NOT_A_SEVERITY}",
        re.I,
    ),
)
_BODY = (
    r"lower back|upper back|back|knee|ankle|wrist|shoulder|hip|neck|ears?|eyes?|tooth|teeth|jaw|foot|feet|legs?|"
    r"arms?|hands?|head|stomach|tummy|belly|throat|elbow|toe|finger|side|skin|joints?|muscles?"
)
_SYMPTOMS = re.compile(
    r"\bsore throat|\bscratchy throat|\bfevers?\b|\bfeverish|\b(?:high )?temperature\b|\bchills\b|\bcough\w*|"
    r"\bhead ?aches?\b|\bmigraines?\b|\brash\w*|\bitch\w*|\bnause\w*|\bqueasy\b|\bvomit\w*|"
    r"\bthrowing up\b|\bthrew up\b|"
    r"\bdiarrh?o?ea\b|\bconstipat\w+|\b(?:stomach|tummy|belly) ?aches?\b|\bback ?aches?\b|\bear ?aches?\b|"
    r"\btooth ?aches?\b|\bwheez\w*|\bshort(?:ness)? of breath\b|\bcongest\w*|\bstuffy nose\b|\brunny nose\b|"
    r"\bsneez\w*|\bbody aches?\b|\bfatigue\b|\bexhausted\b|\btired\b|\bdizz\w*|\blight-?headed\b|"
    r"\btrouble sleeping\b|\bcan'?t sleep\b|\binsomnia\b|\bheart (?:races|racing|pounding)\b|\bpalpitations?\b|"
    r"\bburning (?:when|while) (?:i )?(?:pee|urinat)\w*|\bpainful urination\b|\bswell\w*|\bswollen\b|\bsinus\w*|"
    r"\bpink ?eye\b|\bcramps?\b|\bnumb\w*|\btingl\w*|\bacne\b|\bbruis\w*|\blumps?\b|\bbumps?\b|\bsprain\w*|"
    r"\bloss of (?:taste|smell)\b|\bearache\b|\bhives\b|\bblisters?\b|\bpimples?\b|\bwarts?\b|"
    rf"\b(?:my\s+)?(?:{_BODY})\s+(?:has been |have been |is |are |keeps? |been )?(?:really |so |very )?"
    r"(?:hurt\w*|ach\w*|pain\w*|sore|swollen|killing me|itch\w*|stiff)"
    rf"|\b(?:pain|ache|soreness) in (?:my |the )?(?:{_BODY})\b"
    rf"|\b(?:twisted|sprained|hurt|injured|bumped|pulled|strained) (?:my )?(?:{_BODY})\b"
    rf"|\b(?:{_BODY}) (?:pain|ache|injury)\b",
    re.I,
)
_CONDITIONS = re.compile(
    r"\btype (?:1|2|one|two)(?: diabet\w*)?\b|\bdiabet\w*|\bprediabet\w*|\basthma\w*|\bcopd\b|\bemphysema\b|"
    r"\bhypertension\b|\bhigh blood pressure\b|\bhigh cholesterol\b|\bheart (?:disease|failure|condition)\b|\bafib\b|"
    r"\batrial fibrillation\b|\bkidney disease\b|\bckd\b|\bepilep\w*|\bseizure disorder\b|\bcancer\b|\bhiv\b|"
    r"\barthritis\b|\blupus\b|\bhypothyroid\w*|\bthyroid (?:condition|disease|problem)\b|\bpregnan\w*|"
    r"\bsickle cell\b|\bcrohn'?s\b|\bcolitis\b|\bsleep apnea\b|\bmultiple sclerosis\b|\bhepatitis\b",
    re.I,
)
_NEGATED = re.compile(r"\b(?:no|not|don'?t have|do not have|never had|without|nothing)\s+(?:\w+\s+){0,2}$", re.I)
_ASKING_FOR_THE_FORM = re.compile(
    r"^[^.?!]*\b(?:fill|do|complete|start|begin)\b[^.?!]*\b(?:intake|form|questions?)\b"
    r"[^.?!]*[.?!]\s*",
    re.I,
)
_LIMIT = 500


def _found(pattern: re.Pattern, text: str) -> list[str]:
    """The phrases the pattern finds, as written, leaving out negated ones ("no fever")."""
    phrases = []
    for match in pattern.finditer(text):
        if not _NEGATED.search(text[: match.start()]) and match.group(0).lower() not in map(str.lower, phrases):
            phrases.append(match.group(0).strip())
    return phrases


def severity_in(text: str, cued: bool = True) -> Optional[int]:
    """The 0-10 score the text gives; with `cued`, only a number the words call a score."""
    for pattern in _SEVERITY if cued else (*_SEVERITY, re.compile(rf"\b{_NUMBER}\b{_NOT_A_SEVERITY}", re.I)):
        match = pattern.search(text)
        if match:
            number = match.group(1).lower()
            return int(number) if number.isdigit() else _NUMBER_WORDS[number]
    return None


def since_in(text: str) -> Optional[str]:
    found = _found(_SINCE, text)
    return re.sub(r"^been\s+", "", found[0], flags=re.I) if found else None


def read(text: str, complaint: bool) -> dict[str, str]:
    """The intake answers `text` gives, by slot. With `complaint` (the message describes what is
    wrong), the message itself is the reason for the visit."""
    answers: dict[str, str] = {}
    symptoms = _found(_SYMPTOMS, text)
    if symptoms:
        answers["intake_symptoms"] = ", ".join(symptoms)[:_LIMIT]
    if complaint or symptoms:
        reason = _ASKING_FOR_THE_FORM.sub("", text).strip()
        if reason:
            answers["intake_reason"] = reason[:_LIMIT]
    since = since_in(text)
    if since:
        answers["intake_since"] = since
    score = severity_in(text)
    if score is not None and score <= 10:
        answers["intake_severity"] = str(score)
    conditions = _found(_CONDITIONS, text)
    if conditions:
        answers["intake_conditions"] = ", ".join(conditions)[:_LIMIT]
    return answers
