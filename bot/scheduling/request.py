"""What a patient's message says about an appointment, read by rules: the visit type, the clinician
(by name, misspelled, or by specialty; or anyone), when (day, part of day, exact time), and, for a
change, which existing appointment it names.

"I'd like a video visit with a dermatologist next Tuesday afternoon" gives all three; "move my
Thursday appointment to Friday at 9" names the Thursday one and the new time; "cancel my Tuesday
one and book me next week" holds two requests. The NLU's visit type and clinician entities are
read first where it found them; these rules find what it missed ("dr okafr", "in persn"). Days
and times are read by bot/scheduling/when.py (dateparser and rules), which reads them better.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Optional, Sequence

from rapidfuzz import fuzz, process
from wordfreq import zipf_frequency

from bot.scheduling.when import NotUnderstood, When, parse, weekdays_in
from privacy.clinic.reference import Provider

VISIT_WORDS = {
    "in_person": r"\bin[- ]?pe?rs[aoi]?n\b|\boffice\b|at the clinic|face[- ]to[- ]face|\bcome in\b|\bin[- ]?clinic\b",
    "video": r"\bvideo\b|\bvid\b|zoom|virtual|tele ?health|telemedicine|\bonline\b|facetime|camera",
    "phone": r"\bphone\b|telephone|\bfone\b|\bcall me\b",
}
ANYONE = re.compile(
    r"\b(any ?(one|body|doctor|provider|clinician|of them)|whoever|first available|no preference|"
    r"doesn'?t matter|don'?t (really )?care|earliest|either is fine)\b",
    re.I,
)
# Specialty words -> the specialty they name (providers carry the specialty).
SPECIALTIES = {
    "dermatology": r"derma\w*|skin doctor|skin specialist",
    "pediatrics": r"pediatric\w*|paediatric\w*|kids? doctor|children'?s doctor",
    "internal medicine": r"internal medicine|internist|internal med",
    "family medicine": r"family (?:medicine|doctor|practice|physician)|\bgp\b|general practitioner|primary care",
    "family nurse practitioner": r"nurse practitioner|\bnp\b|\bnurse\b",
}
_TITLES = {"dr", "doctor", "doc", "nurse", "np", "with", "see", "the", "a"}
_COMMON_WORD = 3.0  # a word this frequent in English ("books", "grade") is not a misspelled name
_WHEN_CUES = re.compile(
    r"\b(today|tonight|tomorrow|tmrw?|tmr|tomorow|tommorow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"mon|tues?|wed|thu(?:rs?)?|fri|weekend|week|month|morning|afternoon|aft|evening|noon|midday|lunch|am|pm|"
    r"jan\w*|feb\w*|mar(?:ch)?|apr\w*|june?|july?|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*|asap|soon|o'?clock|"
    r"half past|quarter (?:past|to))\b"
    r"|\d{1,2}(?::\d{2})?\s*(?:a\.?m|p\.?m)|\d{1,2}:\d{2}|\b\d{1,2}(?:st|nd|rd|th)\b|\b\d{1,2}/\d{1,2}\b|"
    r"\bat \d{1,2}\b|\bin \d+ days?\b|\bmay \d",
    re.I,
)


@dataclass(frozen=True)
class Request:
    visit_type: Optional[str] = None  # in_person, video or phone
    provider: Optional[str] = None  # a provider's id, or "any"
    when: Optional[When] = None

    def asks_for_a_visit(self) -> bool:
        """Whether the words name a kind of visit, a clinician, or a day or time ("in person w kim
        fri morning"): with no request verb, such a message still asks for a visit."""
        named = self.provider not in (None, "any")
        timed = self.when is not None and (self.when.day_given or self.when.at is not None)
        return bool(self.visit_type or named or timed)


def visit_type_in(text: str) -> Optional[str]:
    found = [(m.start(), visit) for visit, words in VISIT_WORDS.items() for m in re.finditer(words, text, re.I)]
    return max(found)[1] if found else None  # "not in person, by video": the last one said


def provider_in(text: str, providers: Sequence[Provider]) -> Optional[str]:
    """The clinician the text names (by name, misspelled or not, or by specialty), "any", or None."""
    lowered = text.lower()
    words = [w for w in re.findall(r"[a-z]+", lowered) if w not in _TITLES]
    names = {part: p.id for p in providers for part in re.findall(r"[a-z]+", p.name.lower()) if part not in _TITLES}
    for word in words:
        if len(word) >= 3 and word in names:
            return names[word]
    for word in (w for w in words if len(w) >= 4 and zipf_frequency(w, "en") < _COMMON_WORD):  # "okafr"
        best = process.extractOne(word, list(names), scorer=fuzz.ratio, score_cutoff=80)
        if best:
            return names[best[0]]
    for specialty, pattern in SPECIALTIES.items():
        if re.search(pattern, lowered):
            chosen = [p.id for p in providers if p.specialty == specialty]
            if chosen:
                return chosen[0]
    return "any" if ANYONE.search(text) else None


def unknown_clinician(text: str, providers: Sequence[Provider]) -> Optional[str]:
    """A clinician the text names by title ("Dr. Nguyen") who is not one of ours."""
    for name in re.findall(r"\b(?:dr|doctor|nurse)\.?\s+([a-z]{3,})", text.lower()):
        if provider_in(name, providers) in (None, "any"):
            return name
    return None


def when_in(text: str, now: datetime) -> Optional[When]:
    """When the text asks for, if it says anything about days or times."""
    if not _WHEN_CUES.search(text):
        return None
    try:
        return parse(text, now)
    except NotUnderstood:
        return None


def read(text: str, providers: Sequence[Provider], now: datetime, entities: Iterable[dict] = ()) -> Request:
    """Everything `text` says about an appointment; the NLU's `entities` first where they apply."""
    found = {e.get("entity"): str(e.get("value")) for e in entities}
    visit_type = found.get("visit_type") if found.get("visit_type") in VISIT_WORDS else visit_type_in(text)
    provider = (provider_in(found["provider"], providers) if found.get("provider") else None) or provider_in(
        text, providers
    )
    when = when_in(text, now) or (when_in(found["time"], now) if found.get("time") else None)
    return Request(visit_type, provider, when)


REQUEST_VERBS = {  # the verb that starts a request, and the intent it asks for
    "book": "book_appointment",
    "schedule": "book_appointment",
    "make": "book_appointment",
    "cancel": "cancel_appointment",
    "move": "reschedule_appointment",
    "reschedule": "reschedule_appointment",
    "change": "reschedule_appointment",
    "push": "reschedule_appointment",
    "postpone": "reschedule_appointment",
}
_VERB = (
    r"(book|schedule|make (?:me )?an? (?:appointment|appt)|cancel|move|reschedule|change (?:my|the)|push|postpone)\b"
)
_NEXT_REQUEST = re.compile(
    r"(?:,|\band\b|\bthen\b|\balso\b|\bplus\b)\s+(?:(?:also|then|can you|could you|please|"
    r"pls|i want to|i'?d like to|i need to|you can)\s+)*(?=" + _VERB + ")",
    re.I,
)


def _intent_of(part: str) -> Optional[str]:
    verb = re.search(r"\b" + _VERB, part, re.I)
    return REQUEST_VERBS[verb.group(1).split()[0].lower()] if verb else None


def split_requests(text: str) -> list[tuple[Optional[str], str]]:
    """The requests a message holds, in order, each with the intent its verb asks for (None when
    it has none): "cancel my Tuesday one and book me next week" holds two. What comes before the
    first verb ("hi, please move...") belongs to the first request."""
    parts, start = [], 0
    for match in _NEXT_REQUEST.finditer(text):
        if _intent_of(text[start : match.start()]):
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return [(_intent_of(part), part.strip(" ,.")) for part in parts if part.strip(" ,.")]


_CHANGE_TO = re.compile(r"\b(?:to|for|until|till|into)\b(?!.*\b(?:to|for|until|till|into)\b)", re.I)


_CHANGING = re.compile(
    r"\b(?:move|moving|reschedul\w*|chang\w*|push\w*|postpon\w*|switch\w*|instead|earlier|later|"
    r"cancel\w*|call off|can'?t (?:make|come|go)|cannot (?:make|come|go)|won'?t (?:make|be able))",
    re.I,
)


def changes_an_appointment(text: str) -> bool:
    """Whether the words speak of moving or cancelling an appointment, not only of a visit."""
    return bool(_CHANGING.search(text))


def split_change(text: str) -> tuple[str, str]:
    """A request to move an appointment, cut where the new time begins: ("move my Thursday
    appointment", "Friday at 9"). Without a "to" or "for", the text names the appointment only."""
    match = _CHANGE_TO.search(text)
    if not match:
        return text, ""
    return text[: match.start()], text[match.end() :]


@dataclass(frozen=True)
class Booked:
    """An upcoming appointment, as a message may name it."""

    id: str
    starts_at: datetime  # clinic time
    provider: str
    visit_type: str


def appointments_named(
    text: str, booked: Sequence[Booked], providers: Sequence[Provider], now: datetime
) -> list[Booked]:
    """The appointments `text` names by day, time, clinician or visit type; all of them when it
    names none of these."""
    chosen = list(booked)
    when = when_in(text, now)
    if when:
        if when.day_given:
            # "my Tuesday one" on a Tuesday is next week's: a weekday named is matched as a weekday
            weekdays = weekdays_in(text)
            chosen = (
                [b for b in chosen if b.starts_at.weekday() in weekdays]
                if weekdays
                else [b for b in chosen if when.first_day <= b.starts_at.date() <= when.last_day]
            )
        if when.at:
            chosen = [b for b in chosen if b.starts_at.time() == when.at]
        elif when.window:
            chosen = [b for b in chosen if when.window[0] <= b.starts_at.time() < when.window[1]]
    provider = provider_in(text, providers)
    if provider and provider != "any":
        chosen = [b for b in chosen if b.provider == provider]
    visit_type = visit_type_in(text)
    if visit_type:
        chosen = [b for b in chosen if b.visit_type == visit_type]
    return chosen
