"""The rescheduling form on tracker fixtures, without servers: the appointment and the new time a
message names, one question when it is ambiguous, a greeting before the request, a new visit asked
for, and nothing booked to move."""

from datetime import datetime, timedelta

from bot.actions.appointments import ActionStartReschedule, ValidateRescheduleForm
from bot.scheduling.when import CLINIC_TZ
from harness.actions import (
    FRIDAY,
    THURSDAY,
    TUESDAY,
    WEDNESDAY,
    at,
    open_weekday,
    run,
    said,
    set_by,
    slot,
    start_then_validate,
    vouched,
)


def two_appointments(vault, subject):
    thursday, tuesday = open_weekday(vault, THURSDAY, 2), open_weekday(vault, TUESDAY, 2)
    first = vault.appointments.book(subject, "patel", at(thursday, 10), "in_person", actor="staff:test")
    second = vault.appointments.book(subject, "kim", at(tuesday, 15), "video", actor="staff:test")
    return first, second


def test_move_my_thursday_appointment_to_friday_at_9(vault, subject):
    thursday_one, _ = two_appointments(vault, subject)
    values, _ = start_then_validate(
        ActionStartReschedule(),
        ValidateRescheduleForm(),
        "reschedule_form",
        subject,
        said("move my Thursday appointment to Friday at 9", "reschedule_appointment"),
    )
    assert values["appointment_choice"] == thursday_one.id
    provider, starts, visit_type = values["book_slot"].split("|")
    starts = datetime.fromisoformat(starts)
    assert (provider, visit_type, starts.weekday(), starts.hour) == ("patel", "in_person", FRIDAY, 9)


def test_a_time_alone_moves_the_appointment_on_its_own_day(vault, subject):
    _, tuesday_one = two_appointments(vault, subject)
    values, _ = start_then_validate(
        ActionStartReschedule(),
        ValidateRescheduleForm(),
        "reschedule_form",
        subject,
        said("can I move the one with Grace Kim to half past eleven", "reschedule_appointment"),
    )
    starts = datetime.fromisoformat(values["book_slot"].split("|")[1])
    assert values["appointment_choice"] == tuesday_one.id
    assert starts.date() == tuesday_one.starts_at.astimezone(CLINIC_TZ).date() and (starts.hour, starts.minute) == (
        11,
        30,
    )


def test_an_appointment_named_ambiguously_gets_one_question_then_the_move(vault, subject):
    day = open_weekday(vault, WEDNESDAY, 2)
    vault.appointments.book(subject, "patel", at(day, 14), "in_person", actor="staff:test")
    later = vault.appointments.book(subject, "kim", at(day, 16), "video", actor="staff:test")
    vault.appointments.book(subject, "kim", at(day + timedelta(days=1), 16), "video", actor="staff:test")
    values, _ = start_then_validate(
        ActionStartReschedule(),
        ValidateRescheduleForm(),
        "reschedule_form",
        subject,
        said("move my wednesday appointment to friday at 11", "reschedule_appointment"),
    )
    assert values.get("appointment_choice") is None and len(values["appointment_options"]) == 2
    events, _ = run(
        ValidateRescheduleForm(),
        [said("the 4 o'clock one"), slot("appointment_choice", "the 4 o'clock one")],
        {**values, "verified_subject": vouched(subject), "requested_slot": "appointment_choice"},
        active_loop="reschedule_form",
    )
    chosen = set_by(events)
    assert chosen["appointment_choice"] == later.id
    starts = datetime.fromisoformat(chosen["book_slot"].split("|")[1])
    assert (starts.weekday(), starts.hour) == (FRIDAY, 11)


def test_a_greeting_before_the_request_is_not_a_second_request(vault, subject):
    day = open_weekday(vault, TUESDAY, days_ahead=3)
    vault.appointments.book(subject, "brooks", at(day, 10), "in_person", actor="staff:test")
    events, _ = run(
        ActionStartReschedule(),
        [said("hi, please move my appt with dr brooks to friday at 11", "reschedule_appointment")],
        {"verified_subject": vouched(subject)},
    )
    values = set_by(events)
    assert values.get("queued_requests") is None and values["book_when"].endswith("friday at 11")


def test_a_visit_asked_for_is_booked_whatever_intent_the_model_gave(vault, subject):
    message = "whoever's free next tuesday at 9am, in the office"
    events, _ = run(
        ActionStartReschedule(), [said(message, "reschedule_appointment")], {"verified_subject": vouched(subject)}
    )
    assert set_by(events)["current_request"] == ["book_appointment", message]
    assert events[-1]["name"] == "action_start_booking"


def test_with_nothing_booked_a_move_is_answered_with_an_offer_to_book(vault, subject):
    events, _ = run(
        ActionStartReschedule(),
        [said("move my appointment please", "reschedule_appointment")],
        {"verified_subject": vouched(subject)},
    )
    assert events[-1]["name"] == "utter_no_appointments"  # its "yes" starts a booking, by rule
