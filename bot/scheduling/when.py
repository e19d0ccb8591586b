"""Understanding when a patient wants to be seen, in plain words, in the clinic's time zone.

"next Tuesday afternoon", "the 3rd at 9", "tmrw am", "Friday at 2:30pm", "12/14 at 10",
"sometime next week", "in 3 days", "Dec 3 9:30". The time of day and the date are read
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

from privacy.clinic import TIME_ZONE

CLINIC_TZ = ZoneInfo(TIME_ZONE)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PARTS_OF_DAY = {  # name: (from, to) in clinic time
    "morning": (time(7), time(12)), "am": (time(7), time(12)),
    "afternoon": (time(12), time(17)), "pm": (time(12), time(18)),
    "evening": (time(16), time(20)), "lunch": (time(11, 30), time(13, 30)),
}
_SHORTHAND = {r"\btmrw?\b|\btmr\b|\btomorow\b|\btommorow\b|\btomorrrow\b": "tomorrow", r"\bnxt\b": "next",
              r"\bwk\b": "week", r"\bmon\b": "monday", r"\btues?\b": "tuesday", r"\bwed\b": "wednesday",
              r"\bthu(?:rs?)?\b": "thursday", r"\bfri\b": "friday", r"\bsat\b": "saturday", r"\bsun\b": "sunday",
              r"\bnoon\b": "12:00 pm", r"\bmidday\b": "12:00 pm"}
_TIME = re.compile(r"(?:\bat\s+|@\s*|\b)(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?(?=\s|$|[,.!?])")
_ORDINAL = re.compile(r"\b(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\b")
_WEEKDAY = re.compile(r"\b(?:(next|this|coming|on)\s+)?(" + "|".join(WEEKDAYS) + r")\b")
_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b")
_IN_DAYS = re.compile(r"\bin\s+(\d{1,2}|a|one|two|three)\s+(day|week)s?\b")
_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3}


@dataclass(frozen=True)
class When:
    """A requested time: days to look at, and a time or time window within them."""

    first_day: date
    last_day: date
    at: Optional[time] = None
    window: Optional[tuple[time, time]] = None

    def describe(self) -> str:
        days = (self.first_day.strftime("%A, %B %-d") if self.first_day == self.last_day
                else f"{self.first_day:%B %-d} to {self.last_day:%B %-d}")
        if self.at:
            return f"{days} at {self.at.strftime('%-I:%M %p').lower()}"
        return days


class NotUnderstood(ValueError):
    """No date or time could be read."""


def _normalize(text: str) -> str:
    text = text.lower().strip()
    for pattern, replacement in _SHORTHAND.items():
        text = re.sub(pattern, replacement, text)
    return re.sub(r"\s+", " ", text)


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
        before, after = text[: match.start()], text[match.end():]
        number_only = not match.group(2) and not match.group(3) and "at" not in match.group(0) \
            and "@" not in match.group(0)
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
            return (text[: match.start()] + " " + text[match.end():]).strip(), window
    return text, None


def _next_weekday(today: date, weekday: int, modifier: Optional[str]) -> date:
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0:
        ahead = 7 if modifier in ("next", "coming") else 0
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
    weekday = _WEEKDAY.search(text)
    if weekday:
        day = _next_weekday(today, WEEKDAYS.index(weekday.group(2)), weekday.group(1))
        return day, day
    within = _IN_DAYS.search(text)
    if within:
        count = int(within.group(1)) if within.group(1).isdigit() else _NUMBERS[within.group(1)]
        day = today + timedelta(days=count * (7 if within.group(2) == "week" else 1))
        return day, day
    ordinal = None if _MONTH.search(text) else _ORDINAL.search(text)
    if ordinal:
        day = _day_of_month(today, int(ordinal.group(1)))
        return (day, day) if day else None
    parsed = dateparser.parse(text, languages=["en"], settings={
        "PREFER_DATES_FROM": "future", "DATE_ORDER": "MDY", "RELATIVE_BASE": datetime.combine(today, time(12)),
        "REQUIRE_PARTS": ["day"]})
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
    if days is None and (at or window):
        days = (today, today) if at is None or datetime.combine(today, at, CLINIC_TZ) > now else (
            today + timedelta(days=1), today + timedelta(days=1))
    if days is None:
        raise NotUnderstood(text)
    return When(days[0], days[1], at, window)
