"""The cancelling form on tracker fixtures, without servers: the appointment a message names, a
message with two requests done one after the other, nothing booked on the day named, and another
time offered after a cancellation."""

from datetime import timedelta

from bot.actions.appointments import ActionCancelAppointment, ActionStartCancel, ValidateCancelForm
from harness.actions import (
    THURSDAY,
    TUESDAY,
    WEDNESDAY,
    at,
    open_weekday,
    run,
    said,
    set_by,
    start_then_validate,
    vouched,
)


def test_cancel_wednesday_at_2_picks_the_2pm_one(vault, subject):
    day = open_weekday(vault, WEDNESDAY, 2)
    two_pm = vault.appointments.book(subject, "patel", at(day, 14), "in_person", actor="staff:test")
    vault.appointments.book(subject, "kim", at(day, 10, 30), "video", actor="staff:test")
    values, _ = start_then_validate(
        ActionStartCancel(),
        ValidateCancelForm(),
        "cancel_form",
        subject,
        said("please cancel wednesday at 2", "cancel_appointment"),
    )
    assert values["appointment_choice"] == two_pm.id


def test_a_message_with_two_requests_does_one_then_the_other(vault, subject):
    tuesday = open_weekday(vault, TUESDAY, 2)
    booked = vault.appointments.book(subject, "patel", at(tuesday, 10), "in_person", actor="staff:test")
    events, _ = run(
        ActionStartCancel(),
        [said("cancel my Tuesday one and book me next week", "cancel_appointment")],
        {"verified_subject": vouched(subject)},
    )
    values = set_by(events)
    assert values["current_request"] == ["cancel_appointment", "cancel my Tuesday one"]
    assert values["queued_requests"] == [["book_appointment", "book me next week"]]
    assert (events[-1]["event"], events[-1]["name"]) == ("followup", "action_start_cancel")
    started, _ = run(
        ActionStartCancel(),
        [said("cancel my Tuesday one and book me next week", "cancel_appointment")],
        {"verified_subject": vouched(subject), **values},
    )
    assert set_by(started)["appointment_choice"] == booked.id
    done, messages = run(
        ActionCancelAppointment(),
        [said("yes", "affirm")],
        {
            "verified_subject": vouched(subject),
            "appointment_choice": booked.id,
            "cancel_confirm": "yes",
            "book_choice_text": "x",
            "queued_requests": values["queued_requests"],
        },
    )
    assert set_by(done)["current_request"] == ["book_appointment", "book me next week"]
    assert done[-1]["name"] == "action_start_booking" and "utter_offer_rebooking" not in [
        m["response"] for m in messages
    ]
    assert vault.appointments.upcoming(subject) == []


def test_when_nothing_is_booked_on_the_day_named_the_patient_is_told(vault, subject):
    day = open_weekday(vault, THURSDAY, 2)
    vault.appointments.book(subject, "patel", at(day, 10), "in_person", actor="staff:test")
    vault.appointments.book(subject, "kim", at(day + timedelta(days=1), 10), "video", actor="staff:test")
    events, messages = run(
        ActionStartCancel(),
        [said("cancel my monday appointment", "cancel_appointment")],
        {"verified_subject": vouched(subject)},
    )
    assert "utter_appointment_not_found" in [m["response"] for m in messages]
    assert set_by(events).get("appointment_choice") is None


def test_after_a_cancellation_booking_another_time_is_offered(vault, subject):
    booked = vault.appointments.book(
        subject, "patel", at(open_weekday(vault, TUESDAY, 2), 10), "in_person", actor="staff:test"
    )
    done, _ = run(
        ActionCancelAppointment(),
        [said("yes", "affirm")],
        {
            "verified_subject": vouched(subject),
            "appointment_choice": booked.id,
            "cancel_confirm": "yes",
            "book_choice_text": "x",
        },
    )
    assert done[-1]["name"] == "utter_offer_rebooking"
