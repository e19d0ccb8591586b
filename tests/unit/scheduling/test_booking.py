"""The booking form on tracker fixtures, without servers: what the request already says is kept
(through the identity check too), answers may change one's mind, and details sent without a
request start a booking with them."""

from datetime import datetime

import pytest

from bot.actions.booking import ActionStartBooking, ActionUnaskedDetails, ValidateBookingForm
from bot.scheduling.slots import Slot
from bot.scheduling.when import When
from harness.actions import (
    THURSDAY,
    TUESDAY,
    WEDNESDAY,
    at,
    offers_of,
    open_weekday,
    run,
    said,
    set_by,
    slot,
    start_then_validate,
    vouched,
)


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
        slot("verified_subject", vouched(subject)),
    ]
    values, _ = start_then_validate(ActionStartBooking(), ValidateBookingForm(), "booking_form", subject, *history)
    assert (values["book_visit_type"], values["book_provider"]) == ("phone", "patel")


def test_a_booking_offered_after_a_cancellation_does_not_reuse_the_old_request(vault, subject):
    history = [
        said("book a video visit with dr kim", "book_appointment"),
        {"event": "action", "name": "booking_form"},
        said("yes", "affirm"),
    ]
    started, _ = run(ActionStartBooking(), history, {"verified_subject": vouched(subject)})
    assert "book_visit_type" not in {k for k, v in set_by(started).items() if v}


def booking_state(vault, subject, day, **slots):
    window = When(day, day, window=(datetime.min.time().replace(hour=7), datetime.min.time().replace(hour=12)))
    state = {
        "verified_subject": vouched(subject),
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
