"""Which of the offered times (or of the patient's appointments) an answer chooses: by its button,
its position ("the second one", "the last"), its time ("the 1:30 one", "1:30", "half past one"),
its day, or its clinician. The answer is matched against what was offered, never read as a new
date: "the 1:30 one" is the offered 1:30, whatever the day.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Sequence

from bot.scheduling.request import provider_in
from bot.scheduling.slots import Slot
from bot.scheduling.when import spoken_times, weekdays_in
from privacy.clinic.reference import Provider

_POSITIONS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3}
_POSITION = re.compile(
    r"\b(first|1st|second|2nd|third|3rd|fourth|4th|last)\b(?! (?:week|day|thing|time i|thoughts?|opinion))|"
    r"\b(?:number|option|no\.?|#)\s*(\d)\b|^\W*(\d)\W*$",
    re.I,
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    rf"\b{_MONTH}\s+(\d{{1,2}})\b|\b(\d{{1,2}})\s+(?:of\s+)?{_MONTH.replace('(', '(?P<after>', 1)}(?!\w)", re.I
)  # "December 12", "12 of dec"
_CLOCK = re.compile(r"(?<![\d/])\b(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?(?![\d/]|st\b|nd\b|rd\b|th\b)", re.I)


def _hours(hour: int, minute: int, meridiem: str) -> set[time]:
    if not 0 <= minute <= 59 or not 1 <= hour <= 23:
        return set()
    if meridiem:
        return {time(hour % 12 + (12 if meridiem.lower().startswith("p") else 0), minute)} if hour <= 12 else set()
    return {time(hour, minute)} | ({time(hour + 12, minute)} if hour < 12 else set())


def clock_times(text: str) -> set[time]:
    """Every time the text may mean: "1:30" is 1:30 or 13:30, as is "half past one"; "noon" is 12:00."""
    text = _DATE.sub(" ", spoken_times(text.lower()))
    found = {time(12)} if re.search(r"\bnoon\b|\bmidday\b", text) else set()
    for match in _CLOCK.finditer(text):
        found |= _hours(int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").replace(".", ""))
    return found


def _dates_in(text: str) -> set[tuple[int, int]]:
    """The (month, day) pairs the text names: "December 12", "12 of dec"."""
    found = set()
    for match in _DATE.finditer(text):
        month = match.group(1) or match.group("after")
        found.add((_MONTHS.index(month.lower()) + 1, int(match.group(2) or match.group(3))))
    return found


def chosen(text: str, slots: Sequence[Slot], providers: Sequence[Provider]) -> list[int]:
    """The offered slots the answer fits (their indices): one is the choice; several need a question;
    none means the answer chose none of them."""
    lowered = text.strip().lower()
    for index, slot in enumerate(slots):
        if lowered == slot.label().lower():
            return [index]
    position = _POSITION.search(lowered)
    if position and not clock_times(lowered.replace(position.group(0), " ")):
        word, number = position.group(1), position.group(2) or position.group(3)
        index = len(slots) - 1 if word == "last" else _POSITIONS[word] if word else int(number) - 1
        return [index] if 0 <= index < len(slots) else []
    fits = list(range(len(slots)))
    narrowed = False
    times = clock_times(lowered)
    if times:
        fits, narrowed = [i for i in fits if slots[i].starts_at.time() in times], True
    dates = _dates_in(lowered)
    if dates:
        fits, narrowed = [i for i in fits if (slots[i].starts_at.month, slots[i].starts_at.day) in dates], True
    days = weekdays_in(lowered)
    if days:
        fits, narrowed = [i for i in fits if slots[i].starts_at.weekday() in days], True
    provider = provider_in(lowered, providers)
    if provider and provider != "any":
        fits, narrowed = [i for i in fits if slots[i].provider.id == provider], True
    return fits if narrowed else []
