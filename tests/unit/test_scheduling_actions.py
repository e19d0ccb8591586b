"""Booking, rescheduling and cancelling actions, run with tracker fixtures and a
CollectingDispatcher against a real (SQLite) vault, without servers: what a request already
says is kept, a choice is matched against what was offered, and answers may change one's mind."""

from datetime import datetime, timedelta

import pytest

from bot.actions.appointments import (
    ActionCancelAppointment,
    ActionStartCancel,
    ActionStartReschedule,
    ValidateCancelForm,
    ValidateRescheduleForm,
)
from bot.actions.booking import ActionStartBooking, ActionUnaskedDetails, ValidateBookingForm
from bot.scheduling.slots import Slot
from bot.scheduling.when import CLINIC_TZ, When
from harness.actions import actions_vault, at, open_weekday, patient, run, said, set_by, slot

TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = 1, 2, 3, 4


@pytest.fixture
def vault(tmp_path):
    with actions_vault(tmp_path) as opened:
        yield opened


@pytest.fixture
def subject(vault):
    return patient(vault)


def offers_of(vault, day, hours, provider="patel", visit_type="in_person"):
    return [Slot(vault.clinic.provider(provider), at(day, hour, minute), visit_type).key() for hour, minute in hours]


def start_then_validate(start_action, form_action, form, subject, *events):
    """Run a start action on `events`, then the form's validation on what it set (as Rasa does)."""
    history = [*events]
    started, messages = run(start_action, history, {"verified_subject": subject})
    history += [e for e in started if e["event"] == "slot"]
    validated, more = run(form_action, history, {"verified_subject": subject}, active_loop=form)
    return {**set_by(started), **set_by(validated)}, messages + more


# -- the wrong-day booking ------------------------------------------------------------------


def test_the_1_30_one_books_the_offered_day_not_today(vault, subject):
    """Offered Tuesday at 1:00, 1:30 and 2:00 pm, "the 1:30 one" once booked today at 1:30."""
    day = open_weekday(vault, TUESDAY, days_ahead=3)
    offers = offers_of(vault, day, [(13, 0), (13, 30), (14, 0)])
    history = [said("the 1:30 one"), slot("book_slot", "the 1:30 one")]
    events, _ = run(
        ValidateBookingForm(),
        history,
        {
            "verified_subject": subject,
            "book_visit_type": "in_person",
            "book_provider": "patel",
            "book_when": "x",
            "book_offers": offers,
            "requested_slot": "book_slot",
        },
        active_loop="booking_form",
    )
    assert set_by(events)["book_slot"] == offers[1]


@pytest.mark.parametrize(
    "answer, index",
    [
        ("the second one", 1),
        ("the last", 2),
        ("2", 1),
        ("1:30", 1),
        ("half past one", 1),
        ("the 2pm", 2),
        ("1 pm please", 0),
        ("the first one", 0),
    ],
)
def test_a_choice_by_position_or_time_picks_among_the_offers(vault, subject, answer, index):
    day = open_weekday(vault, THURSDAY, days_ahead=3)
    offers = offers_of(vault, day, [(13, 0), (13, 30), (14, 0)])
    events, _ = run(
        ValidateBookingForm(),
        [said(answer), slot("book_slot", answer)],
        {
            "verified_subject": subject,
            "book_visit_type": "in_person",
            "book_provider": "patel",
            "book_when": "x",
            "book_offers": offers,
            "requested_slot": "book_slot",
        },
        active_loop="booking_form",
    )
    assert set_by(events)["book_slot"] == offers[index]


def test_an_answer_that_fits_two_offers_gets_one_question_with_those_two(vault, subject):
    monday, tuesday = open_weekday(vault, 0, 3), open_weekday(vault, TUESDAY, 3)
    offers = offers_of(vault, monday, [(10, 0)]) + offers_of(vault, tuesday, [(10, 0), (11, 0)])
    events, messages = run(
        ValidateBookingForm(),
        [said("the 10 am"), slot("book_slot", "the 10 am")],
        {
            "verified_subject": subject,
            "book_visit_type": "in_person",
            "book_provider": "patel",
            "book_when": "x",
            "book_offers": offers,
            "requested_slot": "book_slot",
        },
        active_loop="booking_form",
    )
    values = set_by(events)
    assert values["book_slot"] is None and values["book_offers"] == offers[:2]
    assert [m["response"] for m in messages] == ["utter_slot_which"]


# -- the request's own words ------------------------------------------------------------------


def test_a_request_with_visit_type_and_time_asks_neither_again(vault, subject):
    values, _ = start_then_validate(
        ActionStartBooking(),
        ValidateBookingForm(),
        "booking_form",
        subject,
        said("I'd like to book a video visit next Tuesday afternoon", "book_appointment"),
    )
    assert values["book_visit_type"] == "video" and values.get("book_provider") is None  # the first available
    offered = [datetime.fromisoformat(key.split("|")[1]) for key in values["book_offers"]]
    assert offered and all(o.weekday() == TUESDAY and 12 <= o.hour < 17 for o in offered)
    assert all(key.endswith("|video") for key in values["book_offers"])


def test_a_clinician_named_by_specialty_and_an_exact_free_time_go_straight_to_confirmation(vault, subject):
    day = open_weekday(vault, THURSDAY, days_ahead=3)
    request = f"I need to see a dermatologist in person on {day:%B} {day.day} at 10am"
    values, _ = start_then_validate(
        ActionStartBooking(), ValidateBookingForm(), "booking_form", subject, said(request, "book_appointment")
    )
    assert values["book_slot"] == Slot(vault.clinic.provider("brooks"), at(day, 10), "in_person").key()
    assert "Dr. Ethan Brooks" in values["book_choice_text"]


@pytest.mark.parametrize(
    "request_text, visit_type, provider",
    [
        ("wanna book w dr okafr in persn", "in_person", "okafor"),
        ("phone appt w grace kim", "phone", "kim"),
        ("could I get a video appointment with someone in internal medicine", "video", "okafor"),
        ("book an appointment with anyone by video", "video", "any"),
    ],
)
def test_misspelled_names_and_specialties_are_understood(vault, subject, request_text, visit_type, provider):
    values, _ = start_then_validate(
        ActionStartBooking(), ValidateBookingForm(), "booking_form", subject, said(request_text, "book_appointment")
    )
    assert (values["book_visit_type"], values["book_provider"]) == (visit_type, provider)


def test_the_request_survives_the_identity_check(vault, subject):
    """The message that asked, then the name, birth date and code: the booking still knows it."""
    history = [
        said("book me a phone visit with Dr Patel", "book_appointment"),
        said("Jane Roe"),
        said("05/17/1980"),
        said("123456"),
        slot("verified_subject", subject),
    ]
    values, _ = start_then_validate(ActionStartBooking(), ValidateBookingForm(), "booking_form", subject, *history)
    assert (values["book_visit_type"], values["book_provider"]) == ("phone", "patel")


def test_a_booking_offered_after_a_cancellation_does_not_reuse_the_old_request(vault, subject):
    history = [
        said("book a video visit with dr kim", "book_appointment"),
        {"event": "action", "name": "booking_form"},
        said("yes", "affirm"),
    ]
    started, _ = run(ActionStartBooking(), history, {"verified_subject": subject})
    assert "book_visit_type" not in {k for k, v in set_by(started).items() if v}


# -- changes of mind ------------------------------------------------------------------------


def booking_state(vault, subject, day, **slots):
    window = When(day, day, window=(datetime.min.time().replace(hour=7), datetime.min.time().replace(hour=12)))
    state = {
        "verified_subject": subject,
        "book_visit_type": "in_person",
        "book_provider": "patel",
        "book_when": window.describe(),
        "book_window": window.to_slot(),
        "book_offers": offers_of(vault, day, [(9, 0), (9, 30), (10, 0)]),
    }
    return {**state, **slots}


def answer(vault, subject, day, text, requested, **slots):
    events, messages = run(
        ValidateBookingForm(),
        [said(text), slot(requested, text)],
        booking_state(vault, subject, day, requested_slot=requested, **slots),
        active_loop="booking_form",
    )
    return set_by(events), messages


def test_actually_make_it_a_video_visit_keeps_the_rest_and_offers_again(vault, subject):
    day = open_weekday(vault, TUESDAY, 3)
    values, _ = answer(vault, subject, day, "actually make it a video visit", "book_slot")
    assert values["book_visit_type"] == "video" and "book_provider" not in values  # still Dr. Patel
    assert values["book_offers"] and all(
        k.endswith("|video") and f"|{day.isoformat()}T" in k for k in values["book_offers"]
    )


def test_another_clinician_instead_keeps_the_day(vault, subject):
    day = open_weekday(vault, TUESDAY, 3)
    values, _ = answer(vault, subject, day, "can I see Dr. Kim instead?", "book_slot")
    assert values["book_provider"] == "kim"
    assert values["book_offers"] and all(
        k.startswith("kim|") and f"|{day.isoformat()}T" in k for k in values["book_offers"]
    )


def test_no_the_afternoon_keeps_the_day_and_changes_the_part_of_day(vault, subject):
    day = open_weekday(vault, TUESDAY, 3)
    values, _ = answer(vault, subject, day, "no, the afternoon", "book_slot")
    starts = [datetime.fromisoformat(k.split("|")[1]) for k in values["book_offers"]]
    assert starts and all(s.date() == day and 12 <= s.hour < 17 for s in starts)


def test_another_exact_time_at_the_confirmation_is_offered_to_confirm(vault, subject):
    day = open_weekday(vault, WEDNESDAY, 3)
    chosen = offers_of(vault, day, [(9, 0)])[0]
    values, _ = answer(vault, subject, day, "wait, actually make it 2pm", "book_confirm", book_slot=chosen)
    assert values["book_slot"] == offers_of(vault, day, [(14, 0)])[0] and values["book_confirm"] is None


def test_a_clinician_who_does_not_offer_the_visit_type_is_said_so(vault, subject):
    day = open_weekday(vault, TUESDAY, 3)
    values, messages = answer(vault, subject, day, "by phone", "book_slot", book_provider="okafor")
    assert values["book_visit_type"] == "phone" and values["book_provider"] is None
    assert "utter_provider_no_visit_type" in [m["response"] for m in messages]


def test_an_unrelated_answer_to_the_offer_changes_nothing(vault, subject):
    day = open_weekday(vault, TUESDAY, 3)
    values, messages = answer(vault, subject, day, "hmm", "book_slot")
    assert (
        values["book_slot"] is None
        and "book_offers" not in values
        and [m["response"] for m in messages] == ["utter_slot_unknown"]
    )


# -- rescheduling and cancelling ---------------------------------------------------------------


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
        {**values, "verified_subject": subject, "requested_slot": "appointment_choice"},
        active_loop="reschedule_form",
    )
    chosen = set_by(events)
    assert chosen["appointment_choice"] == later.id
    starts = datetime.fromisoformat(chosen["book_slot"].split("|")[1])
    assert (starts.weekday(), starts.hour) == (FRIDAY, 11)


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
        {"verified_subject": subject},
    )
    values = set_by(events)
    assert values["current_request"] == ["cancel_appointment", "cancel my Tuesday one"]
    assert values["queued_requests"] == [["book_appointment", "book me next week"]]
    assert (events[-1]["event"], events[-1]["name"]) == ("followup", "action_start_cancel")
    started, _ = run(
        ActionStartCancel(),
        [said("cancel my Tuesday one and book me next week", "cancel_appointment")],
        {"verified_subject": subject, **values},
    )
    assert set_by(started)["appointment_choice"] == booked.id
    done, messages = run(
        ActionCancelAppointment(),
        [said("yes", "affirm")],
        {
            "verified_subject": subject,
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
        ActionStartCancel(), [said("cancel my monday appointment", "cancel_appointment")], {"verified_subject": subject}
    )
    assert "utter_appointment_not_found" in [m["response"] for m in messages]
    assert set_by(events).get("appointment_choice") is None


# -- details without a request verb ----------------------------------------------------------


@pytest.mark.parametrize(
    "message, intent",
    [
        ("in person w kim fri morning", "inform"),
        ("any doctor, video, tuesday or wednesday morning", "inform"),
        ("in person with dr patel tuesday morning", "nlu_fallback"),
        ("tomorrow at 3", "inform"),
    ],
)
def test_details_that_ask_for_a_visit_start_the_booking_with_them(vault, message, intent):
    events, messages = run(ActionUnaskedDetails(), [said(message, intent)])
    assert set_by(events)["current_request"] == ["book_appointment", message]
    assert events[-1] == {"event": "followup", "name": "action_start_booking", "timestamp": None}
    assert messages == []


@pytest.mark.parametrize(
    "message, intent, response",
    [
        ("hi, anyone around?", "nlu_fallback", "utter_ask_rephrase"),
        ("good morning", "inform", "utter_default"),
        ("my name is Ana", "inform", "utter_default"),
    ],
)
def test_other_unasked_messages_get_the_usual_answer(vault, message, intent, response):
    events, messages = run(ActionUnaskedDetails(), [said(message, intent)])
    assert events == [] and [m["response"] for m in messages] == [response]


def test_a_greeting_before_the_request_is_not_a_second_request(vault, subject):
    day = open_weekday(vault, TUESDAY, days_ahead=3)
    vault.appointments.book(subject, "brooks", at(day, 10), "in_person", actor="staff:test")
    events, _ = run(
        ActionStartReschedule(),
        [said("hi, please move my appt with dr brooks to friday at 11", "reschedule_appointment")],
        {"verified_subject": subject},
    )
    values = set_by(events)
    assert values.get("queued_requests") is None and values["book_when"].endswith("friday at 11")


def test_a_visit_asked_for_is_booked_whatever_intent_the_model_gave(vault, subject):
    message = "whoever's free next tuesday at 9am, in the office"
    events, _ = run(ActionStartReschedule(), [said(message, "reschedule_appointment")], {"verified_subject": subject})
    assert set_by(events)["current_request"] == ["book_appointment", message]
    assert events[-1]["name"] == "action_start_booking"


def test_with_nothing_booked_a_move_is_answered_with_an_offer_to_book(vault, subject):
    events, _ = run(
        ActionStartReschedule(),
        [said("move my appointment please", "reschedule_appointment")],
        {"verified_subject": subject},
    )
    assert events[-1]["name"] == "utter_no_appointments"  # its "yes" starts a booking, by rule


def test_after_a_cancellation_booking_another_time_is_offered(vault, subject):
    booked = vault.appointments.book(
        subject, "patel", at(open_weekday(vault, TUESDAY, 2), 10), "in_person", actor="staff:test"
    )
    done, _ = run(
        ActionCancelAppointment(),
        [said("yes", "affirm")],
        {
            "verified_subject": subject,
            "appointment_choice": booked.id,
            "cancel_confirm": "yes",
            "book_choice_text": "x",
        },
    )
    assert done[-1]["name"] == "utter_offer_rebooking"
