"""The booking form's choice among the slots it offered, on tracker fixtures without servers: "the
1:30 one" books the offered day, a position or a time picks an offer, and an answer that fits two
offers gets one question with those two."""

import pytest

from bot.actions.booking import ValidateBookingForm
from harness.actions import THURSDAY, TUESDAY, offers_of, open_weekday, run, said, set_by, slot, vouched


def test_the_1_30_one_books_the_offered_day_not_today(vault, subject):
    """Offered Tuesday at 1:00, 1:30 and 2:00 pm, "the 1:30 one" once booked today at 1:30."""
    day = open_weekday(vault, TUESDAY, days_ahead=3)
    offers = offers_of(vault, day, [(13, 0), (13, 30), (14, 0)])
    history = [said("the 1:30 one"), slot("book_slot", "the 1:30 one")]
    events, _ = run(
        ValidateBookingForm(),
        history,
        {
            "verified_subject": vouched(subject),
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
            "verified_subject": vouched(subject),
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
            "verified_subject": vouched(subject),
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
