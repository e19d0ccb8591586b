"""Reading dates and times, finding open slots, and one patient per slot (against real databases)."""

import threading
from datetime import date, datetime, time, timezone

import pytest

from bot.scheduling.slots import offer
from bot.scheduling.when import CLINIC_TZ, NotUnderstood, parse
from privacy.clinic.appointments import SlotTaken
from privacy.clinic.reference import Provider

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=CLINIC_TZ)  # a Wednesday, the day before Thanksgiving


@pytest.mark.parametrize(
    "said, first, at, window",
    [
        ("next Tuesday afternoon", date(2026, 12, 1), None, (time(12), time(17))),
        ("the 3rd at 9", date(2026, 12, 3), time(9), None),
        ("tmrw am", date(2026, 11, 26), None, (time(7), time(12))),
        ("Friday at 2:30pm", date(2026, 11, 27), time(14, 30), None),
        ("12/14 at 10", date(2026, 12, 14), time(10), None),
        ("Dec 3 9:30", date(2026, 12, 3), time(9, 30), None),
        ("next tuesday at 3", date(2026, 12, 1), time(15), None),
        ("could you please create meeting with Dr. Barker at Friday", date(2026, 11, 27), None, None),
        ("on the 15th", date(2026, 12, 15), None, None),
        ("in 3 days", date(2026, 11, 28), None, None),
        ("day after tomorrow at noon", date(2026, 11, 27), time(12), None),
        ("wednesday at 3", date(2026, 12, 2), time(15), None),  # said on a Wednesday: next week's
        ("this wednesday at 3", date(2026, 11, 25), time(15), None),
    ],
)
def test_plain_words_become_a_day_and_a_time(said, first, at, window):
    when = parse(said, NOW)
    assert (when.first_day, when.at, when.window) == (first, at, window)


def test_sometime_next_week_is_the_working_week():
    when = parse("sometime next week", NOW)
    assert (when.first_day, when.last_day) == (date(2026, 11, 30), date(2026, 12, 4))


@pytest.mark.parametrize("said", ["asdf", "whenever works", "asap"])
def test_words_without_a_date_are_not_understood(said):
    with pytest.raises(NotUnderstood):
        parse(said, NOW)


DOC = Provider(
    "doc", "Dr. Test", "family medicine", ("in_person", "video"), True, tuple((d, 9 * 60, 12 * 60) for d in range(5))
)
CLOSED = {date(2026, 11, 26): "Thanksgiving", date(2026, 11, 27): "Day after Thanksgiving"}


def nothing_taken(first, last):
    return set()


def test_a_past_time_is_refused_with_alternatives():
    result = offer(parse("yesterday", NOW), [DOC], "video", CLOSED, nothing_taken, NOW)
    assert result.problem == "That time has already passed."
    assert result.slots and result.slots[0].starts_at == datetime(2026, 11, 30, 9, 0, tzinfo=CLINIC_TZ)


def test_a_closed_day_is_named_and_the_next_open_days_offered():
    result = offer(parse("tomorrow morning", NOW), [DOC], "video", CLOSED, nothing_taken, NOW)
    assert "closed on Thursday, November 26 (Thanksgiving)" in result.problem
    assert all(s.starts_at.date() == date(2026, 11, 30) for s in result.slots)
    weekend = offer(parse("saturday", NOW), [DOC], "video", CLOSED, nothing_taken, NOW)
    assert "closed on Saturdays" in weekend.problem


def test_a_taken_time_is_refused_and_the_nearest_offered():
    monday_ten = datetime(2026, 11, 30, 10, 0, tzinfo=CLINIC_TZ)
    taken = {("doc", monday_ten.astimezone(timezone.utc))}
    result = offer(parse("monday at 10", NOW), [DOC], "video", CLOSED, lambda first, last: taken, NOW)
    assert "not available" in result.problem
    assert [s.starts_at.time() for s in result.slots] == [time(9), time(9, 30), time(10, 30)]


def test_an_open_exact_time_is_offered_alone():
    result = offer(parse("monday at 10", NOW), [DOC], "video", CLOSED, nothing_taken, NOW)
    assert result.problem is None and [s.starts_at for s in result.slots] == [
        datetime(2026, 11, 30, 10, 0, tzinfo=CLINIC_TZ)
    ]


def test_two_patients_can_never_hold_the_same_slot(vault):
    a = vault.subjects.create("patient")
    b = vault.subjects.create("patient")
    start = datetime(2027, 2, 2, 15, 0, tzinfo=CLINIC_TZ)
    outcomes = []

    def book(subject):
        try:
            vault.appointments.book(subject, "patel", start, "video", actor="patient")
            outcomes.append("booked")
        except SlotTaken:
            outcomes.append("taken")

    threads = [threading.Thread(target=book, args=(s,)) for s in (a, b, a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked", "taken", "taken", "taken"]
    appointment = (vault.appointments.upcoming(a) or vault.appointments.upcoming(b))[0]
    owner = a if vault.appointments.upcoming(a) else b
    vault.appointments.cancel(owner, appointment.id, actor="patient")
    vault.appointments.book(b, "patel", start, "video", actor="patient")  # a cancelled slot is free again
