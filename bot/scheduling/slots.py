"""Finding open appointment slots: providers' hours, minus closed days, booked slots and the past.

Slots are 30 minutes, in the clinic's time zone, at least 2 hours ahead and at most 90 days.
When the requested time cannot be had, the answer says why (in the past, a closed day, taken,
outside hours) and offers the nearest open slots instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional, Sequence

from bot.scheduling.when import CLINIC_TZ, When
from privacy.clinic.reference import OFFICE, Provider

SLOT = timedelta(minutes=30)
LEAD = timedelta(hours=2)
HORIZON = timedelta(days=90)
SEARCH_DAYS = 21
VISIT_NAMES = {"in_person": "in person", "video": "video visit", "phone": "phone visit"}


@dataclass(frozen=True)
class Slot:
    provider: Provider
    starts_at: datetime  # clinic time
    visit_type: str

    def label(self) -> str:
        """Short, for a button: "Tue Dec 1, 2:00 pm, Dr. Maya Patel"."""
        return f"{self.starts_at:%a %b %-d}, {self.starts_at.strftime('%-I:%M %p').lower()}, {self.provider.name}"

    def describe(self) -> str:
        """Whole, for a confirmation: time, provider and place, never any health detail."""
        where = {
            "in_person": f"at {OFFICE}",
            "video": "by video (the link comes by e-mail before the visit)",
            "phone": "by phone (the provider calls the number on file)",
        }[self.visit_type]
        return (
            f"{self.starts_at:%A, %B %-d} at {self.starts_at.strftime('%-I:%M %p').lower()} "
            f"with {self.provider.name}, {where}"
        )

    def key(self) -> str:
        """How the slot is remembered in the conversation."""
        return f"{self.provider.id}|{self.starts_at.isoformat()}|{self.visit_type}"


@dataclass(frozen=True)
class Offer:
    slots: list[Slot]
    problem: Optional[str] = None  # why the requested time itself cannot be had


def _day_slots(provider: Provider, day: date) -> list[datetime]:
    found = []
    for weekday, start, end in provider.hours:
        if weekday != day.weekday():
            continue
        minute = start
        while minute + SLOT.seconds // 60 <= end:
            found.append(datetime.combine(day, time(minute // 60, minute % 60), CLINIC_TZ))
            minute += SLOT.seconds // 60
    return found


def eligible(providers: Sequence[Provider], visit_type: str, provider_id: Optional[str], child: bool) -> list[Provider]:
    return [
        p
        for p in providers
        if visit_type in p.visit_types and (provider_id in (None, p.id)) and (p.sees_children or not child)
    ]


def open_slots(
    providers: Sequence[Provider],
    visit_type: str,
    closures: dict[date, str],
    taken: set[tuple[str, datetime]],
    first: date,
    last: date,
    now: datetime,
    window: Optional[tuple[time, time]] = None,
) -> list[Slot]:
    """Every open slot of these providers between the two days (inclusive), in time order."""
    earliest, latest = now + LEAD, now + HORIZON
    slots = []
    day = first
    while day <= last:
        if day not in closures:
            for provider in providers:
                for start in _day_slots(provider, day):
                    if not earliest <= start <= latest:
                        continue
                    if window and not window[0] <= start.time() < window[1]:
                        continue
                    if (provider.id, start.astimezone(timezone.utc)) in taken:
                        continue
                    slots.append(Slot(provider, start, visit_type))
        day += timedelta(days=1)
    return sorted(slots, key=lambda s: (s.starts_at, s.provider.id))


def _spread(slots: list[Slot], limit: int) -> list[Slot]:
    """Up to `limit` slots at different times (not three providers at 8:00)."""
    chosen, times = [], set()
    for slot in slots:
        if slot.starts_at not in times:
            chosen.append(slot)
            times.add(slot.starts_at)
        if len(chosen) == limit:
            break
    return chosen


def offer(
    when: When,
    providers: Sequence[Provider],
    visit_type: str,
    closures: dict[date, str],
    taken_between,
    now: datetime,
    limit: int = 3,
) -> Offer:
    """The slots to propose for `when`; `taken_between(first, last)` gives the booked ones."""
    today = now.astimezone(CLINIC_TZ).date()
    first = max(when.first_day, today)

    def search(last: date, window: Optional[tuple[time, time]] = None) -> list[Slot]:
        """Every open slot from `first` to `last`."""
        return open_slots(providers, visit_type, closures, taken_between(first, last), first, last, now, window)

    problem = _refused(when, closures, today, now)
    if problem is None:
        asked = _as_asked(when, _on_days(when, search(when.last_day, when.window)), providers, limit)
        if asked.slots:
            return asked
        problem = asked.problem
    return Offer(_spread(_instead(when, search, first + timedelta(days=SEARCH_DAYS)), limit), problem)


def _refused(when: When, closures: dict[date, str], today: date, now: datetime) -> Optional[str]:
    """Why the time asked for cannot be booked at all (past, over 90 days ahead, a closed day); None if it can."""
    if when.last_day < today or (
        when.last_day == today and when.at and datetime.combine(today, when.at, CLINIC_TZ) < now
    ):
        return "That time has already passed."
    if when.first_day > (now + HORIZON).date():
        return "We book up to 90 days ahead."
    if when.first_day == when.last_day and when.first_day in closures:
        return f"The clinic is closed on {when.first_day:%A, %B %-d} ({closures[when.first_day]})."
    if when.first_day == when.last_day and when.first_day.weekday() >= 5:
        return f"The clinic is closed on {when.first_day:%A}s."
    return None


def _as_asked(when: When, found: list[Slot], providers: Sequence[Provider], limit: int) -> Offer:
    """The offer from `found`, the open slots when asked; no slots, and why, if none fit."""
    if when.at:
        return _at_time(when, found, providers, limit)
    if found:
        return Offer(_spread(found, limit))
    return Offer([], f"There is nothing open {when.describe()}.")


def _at_time(when: When, found: list[Slot], providers: Sequence[Provider], limit: int) -> Offer:
    """The time asked for, once on each day it is open; else why not, and the nearest times."""
    exact = [s for s in found if s.starts_at.time() == when.at]
    if exact:  # one per day asked for ("10am on tuesday or thursday")
        return Offer(_spread(_first_each_day(exact), limit))
    problem = (
        f"{when.describe()} is not available."
        if found or _ever_open(providers, when)
        else f"No one sees patients at {when.at.strftime('%-I:%M %p').lower()} then."
    )
    return Offer(sorted(_spread(_nearest(found, when.at), limit), key=lambda s: s.starts_at), problem)


def _first_each_day(slots: list[Slot]) -> list[Slot]:
    """The first of `slots` on each of their days, in day order."""
    return [next(s for s in slots if s.starts_at.date() == day) for day in sorted({s.starts_at.date() for s in slots})]


def _nearest(slots: list[Slot], at: time) -> list[Slot]:
    """`slots` from the nearest to `at` on its own day to the farthest."""
    return sorted(
        slots, key=lambda s: abs((datetime.combine(s.starts_at.date(), at, CLINIC_TZ) - s.starts_at).total_seconds())
    )


def _instead(when: When, search, last: date) -> list[Slot]:
    """The open slots up to `last`: on the weekdays asked for if any are open, and within the hours
    asked for unless none are."""
    found = search(last, when.window)
    found = _on_days(when, found) or found
    if not found and when.window:
        found = search(last)
    return found


def _on_days(when: When, slots: list[Slot]) -> list[Slot]:
    """The slots on the weekdays asked for, when several were named."""
    return [s for s in slots if when.weekdays is None or s.starts_at.weekday() in when.weekdays]


def _ever_open(providers: Sequence[Provider], when: When) -> bool:
    day = when.first_day
    return any(start.time() == when.at for p in providers for start in _day_slots(p, day))
