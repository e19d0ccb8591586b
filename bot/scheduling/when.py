"""Understanding when a patient wants to be seen, in plain words, in the clinic's time zone.

"next Tuesday afternoon", "the 3rd at 9", "tmrw am", "Friday at 2:30pm", "12/14 at 10",
"sometime next week", "in 3 days", "Dec 3 9:30", "half past four". The time of day and the date are read
apart: dateparser reads dates well but mixes up "the 3rd at 9" or "12/14 at 10".
A bare hour is read as clinic hours suggest: 7 to 11 is morning, 12 to 6 afternoon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

import dateparser

from privacy.clinic.reference import TIME_ZONE

CLINIC_TZ = ZoneInfo(TIME_ZONE)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PARTS_OF_DAY = {  # name: (from, to) in clinic time
    "morning": (time(7), time(12)),
    "am": (time(7), time(12)),
    "afternoon": (time(12), time(17)),
    "pm": (time(12), time(18)),
    "evening": (time(16), time(20)),
    "lunch": (time(11, 30), time(13, 30)),
}
_SHORTHAND = {
    r"\btmrw?\b|\btmr\b|\btomorow\b|\btommorow\b|\btomorrrow\b": "tomorrow",
    r"\bnxt\b": "next",
    r"\bwk\b": "week",
    r"\bmon\b": "monday",
    r"\btues?\b": "tuesday",
    r"\bwed\b": "wednesday",
    r"\bthu(?:rs?)?\b": "thursday",
    r"\bfri\b": "friday",
    r"\bsat\b": "saturday",
    r"\bsun\b": "sunday",
    r"\bnoon\b": "12:00 pm",
    r"\bmidday\b": "12:00 pm",
    r"\baft\b|\barvo\b": "afternoon",
    r"\bmorn\b": "morning",
    r"\beve\b": "evening",
}
_TIME = re.compile(r"(?:\bat\s+|@\s*|\b)(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?(?=\s|$|[,.!?])")
_ORDINAL = re.compile(r"\b(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\b")
_WEEKDAY = re.compile(r"\b(?:(next|this|coming|on)\s+)?(" + "|".join(WEEKDAYS) + r")\b")
_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b")
_MONTH_NAME = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# The words that hold a date, for dateparser to read alone: "on december 10" in a whole sentence.
_DATE_PHRASE = re.compile(
    rf"\b{_MONTH_NAME}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b|"
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_NAME}(?:\s+\d{{4}})?\b|"
    r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b"
)
_IN_DAYS = re.compile(r"\bin\s+(\d{1,2}|a|one|two|three)\s+(day|week)s?\b")
_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3}
_HOUR_WORDS = {
    w: n for n, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())
}
_HOUR = r"(\d{1,2}|" + "|".join(list(_HOUR_WORDS)[1:]) + ")"
_SPOKEN = (  # spoken clock times, as digits: "half past four" is 4:30
    (re.compile(rf"\bhalf (?:past|after) {_HOUR}\b"), lambda h: f"{h}:30"),
    (re.compile(rf"\bquarter (?:past|after) {_HOUR}\b"), lambda h: f"{h}:15"),
    (re.compile(rf"\bquarter (?:to|of|till) {_HOUR}\b"), lambda h: f"{(h - 2) % 12 + 1}:45"),
    (re.compile(rf"\b{_HOUR} (?:thirty)\b"), lambda h: f"{h}:30"),
    (re.compile(rf"\b{_HOUR} (?:fifteen)\b"), lambda h: f"{h}:15"),
    (re.compile(rf"\b{_HOUR} (?:forty[- ]five)\b"), lambda h: f"{h}:45"),
    (re.compile(rf"\b{_HOUR} ?o'?clock\b"), lambda h: f"{h}:00"),
)


@dataclass(frozen=True)
class When:
    """A requested time: days to look at, and a time or time window within them."""

    first_day: date
    last_day: date
    at: Optional[time] = None
    window: Optional[tuple[time, time]] = None
    day_given: bool = True  # False when only a time was said and the day is the next one it can be
    weekdays: Optional[tuple[int, ...]] = None  # "tuesday or thursday": only these days of the range

    def describe(self) -> str:
        if self.weekdays:
            days = " or ".join(f"{day:%A, %B %-d}" for day in self.days())
        elif self.first_day == self.last_day:
            days = self.first_day.strftime("%A, %B %-d")
        else:
            days = f"{self.first_day:%B %-d} to {self.last_day:%B %-d}"
        if self.at:
            return f"{days} at {self.at.strftime('%-I:%M %p').lower()}"
        return days

    def days(self) -> list[date]:
        """Every day the request allows."""
        count = (self.last_day - self.first_day).days + 1
        every = [self.first_day + timedelta(days=n) for n in range(count)]
        return [day for day in every if self.weekdays is None or day.weekday() in self.weekdays]

    def to_slot(self) -> dict:
        """As a conversation slot holds it."""
        return {
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "at": self.at.isoformat() if self.at else None,
            "window": [t.isoformat() for t in self.window] if self.window else None,
            "day_given": self.day_given,
            "weekdays": list(self.weekdays) if self.weekdays else None,
        }

    @classmethod
    def from_slot(cls, value: Optional[dict]) -> Optional["When"]:
        if not value:
            return None
        window, weekdays = value.get("window"), value.get("weekdays")
        return cls(
            date.fromisoformat(value["first_day"]),
            date.fromisoformat(value["last_day"]),
            time.fromisoformat(value["at"]) if value.get("at") else None,
            tuple(time.fromisoformat(t) for t in window) if window else None,
            value.get("day_given", True),
            tuple(weekdays) if weekdays else None,
        )


class NotUnderstood(ValueError):
    """No date or time could be read."""


def spoken_times(text: str) -> str:
    """The text with spoken clock times in digits ("quarter to five" becomes "4:45")."""
    for pattern, digits in _SPOKEN:
        text = pattern.sub(
            lambda m, digits=digits: digits(int(m.group(1)) if m.group(1).isdigit() else _HOUR_WORDS[m.group(1)]), text
        )
    return text


def weekdays_in(text: str) -> list[int]:
    """The weekdays the text names, in full or short ("thurs", "fri"), Monday being 0."""
    normalized = _normalize(text)
    return [index for index, day in enumerate(WEEKDAYS) if re.search(rf"\b{day}\b", normalized)]


def _normalize(text: str) -> str:
    text = text.lower().strip()
    for pattern, replacement in _SHORTHAND.items():
        text = re.sub(pattern, replacement, text)
    return re.sub(r"\s+", " ", spoken_times(text))


def _clock_time(hour: int, minute: int, meridiem: Optional[str]) -> Optional[time]:
    if minute > 59 or hour > 23:
        return None
    if meridiem:
        if hour > 12 or hour == 0:
            return None
        hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
    elif 1 <= hour <= 6:
        hour += 12  # "at 2" means 2 pm at a clinic
    return time(hour, minute)


def _take_time(text: str) -> tuple[str, Optional[time]]:
    """Remove and return a clock time ("at 9", "2:30pm"), leaving dates like 12/14 or the 3rd alone."""
    for match in _TIME.finditer(text):
        before, after = text[: match.start()], text[match.end() :]
        number_only = (
            not match.group(2) and not match.group(3) and "at" not in match.group(0) and "@" not in match.group(0)
        )
        if re.search(r"[/-]$", before.rstrip()) or re.match(r"\s*[/-]\d", after) or number_only:
            continue
        if re.match(r"(?:st|nd|rd|th)\b", after):
            continue
        found = _clock_time(int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").replace(".", ""))
        if found:
            return (before + " " + after).strip(), found
    return text, None


def _take_part_of_day(text: str) -> tuple[str, Optional[tuple[time, time]]]:
    """Remove and return a part of the day ("afternoon", "after lunch", "tomorrow am")."""
    for name, window in PARTS_OF_DAY.items():
        # "am"/"pm" on their own only: in "9 am" they belong to the clock time
        pattern = rf"(?<![\d:])(?<![\d:] )\b{name}\b" if name in ("am", "pm") else rf"\b(?:in the |this )?{name}\b"
        match = re.search(pattern, text)
        if match:
            if name == "lunch" and "after lunch" in text:
                window = PARTS_OF_DAY["afternoon"]
            return (text[: match.start()] + " " + text[match.end() :]).strip(), window
    return text, None


def _next_weekday(today: date, weekday: int, modifier: Optional[str]) -> date:
    """The weekday named; today's own weekday is next week's, unless "this" says today."""
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and modifier != "this":
        ahead = 7
    return today + timedelta(days=ahead)


def _day_of_month(today: date, day: int) -> Optional[date]:
    for months_ahead in range(0, 3):
        month = (today.month - 1 + months_ahead) % 12 + 1
        year = today.year + (today.month - 1 + months_ahead) // 12
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _days(text: str, today: date) -> Optional[tuple[date, date]]:
    if not text.strip(" ,.!?") or re.fullmatch(r"(?:at|on|for|please|asap|as soon as possible|soon|\W)*", text):
        return None
    if re.search(r"\b(?:the )?same day\b|\bthat day\b", text):
        return None  # the day already spoken of (see `merged`)
    if "today" in text:
        return today, today
    if "day after tomorrow" in text:
        return today + timedelta(days=2), today + timedelta(days=2)
    if "tomorrow" in text:
        return today + timedelta(days=1), today + timedelta(days=1)
    if re.search(r"\bnext week\b", text):
        monday = today + timedelta(days=7 - today.weekday())
        return monday, monday + timedelta(days=4)
    if re.search(r"\bthis week\b", text):
        return today, today + timedelta(days=max(0, 4 - today.weekday()))
    named = list(_WEEKDAY.finditer(text))
    if named:
        days = sorted({_next_weekday(today, WEEKDAYS.index(m.group(2)), m.group(1)) for m in named})
        return days[0], days[-1]
    within = _IN_DAYS.search(text)
    if within:
        count = int(within.group(1)) if within.group(1).isdigit() else _NUMBERS[within.group(1)]
        day = today + timedelta(days=count * (7 if within.group(2) == "week" else 1))
        return day, day
    ordinal = None if _MONTH.search(text) else _ORDINAL.search(text)
    if ordinal:
        day = _day_of_month(today, int(ordinal.group(1)))
        return (day, day) if day else None
    phrase = _DATE_PHRASE.search(text)
    parsed = dateparser.parse(
        phrase.group(0) if phrase else text,
        languages=["en"],
        settings={
            "PREFER_DATES_FROM": "future",
            "DATE_ORDER": "MDY",
            "RELATIVE_BASE": datetime.combine(today, time(12)),
            "REQUIRE_PARTS": ["day"],
        },
    )
    if parsed is None:
        return None
    return parsed.date(), parsed.date()


def parse(text: str, now: datetime) -> When:
    """Read `text` relative to `now` (any time zone); raises NotUnderstood."""
    today = now.astimezone(CLINIC_TZ).date()
    normalized = _normalize(text)
    rest, window = _take_part_of_day(normalized)
    rest, at = _take_time(rest)
    days = _days(rest, today)
    day_given = days is not None
    if days is None and (at or window):
        days = (
            (today, today)
            if at is None or datetime.combine(today, at, CLINIC_TZ) > now
            else (today + timedelta(days=1), today + timedelta(days=1))
        )
    if days is None:
        raise NotUnderstood(text)
    named = sorted({WEEKDAYS.index(m.group(2)) for m in _WEEKDAY.finditer(rest)})
    return When(days[0], days[1], at, window, day_given, tuple(named) if len(named) > 1 else None)


def merged(new: When, old: Optional[When]) -> When:
    """A change of mind read against what was asked before: "what about Thursday instead" keeps
    the part of day, "no, the afternoon" keeps the day."""
    if old is None:
        return new
    if not new.day_given:
        return When(old.first_day, old.last_day, new.at, new.window, weekdays=old.weekdays)
    if new.at is None and new.window is None:
        return When(new.first_day, new.last_day, old.at if old.first_day == old.last_day else None, old.window)
    return new
