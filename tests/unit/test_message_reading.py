"""What a patient's words say, read without the model or servers: the appointment a request asks
for, the requests one message holds, the offer an answer chooses, the intake answers a message
gives, and yes or no."""

from datetime import datetime, time

import pytest

from bot.actions.common import yes_or_no
from bot.intake.reading import read as intake_read
from bot.scheduling.choice import chosen
from bot.scheduling.request import provider_in, read, split_change, split_requests
from bot.scheduling.slots import Slot
from bot.scheduling.when import CLINIC_TZ
from harness.actions import actions_vault, said, tracker

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=CLINIC_TZ)  # a Tuesday


@pytest.fixture(scope="module")
def providers(tmp_path_factory):
    with actions_vault(tmp_path_factory.mktemp("vault")) as vault:
        yield vault.clinic.providers


@pytest.mark.parametrize(
    "text, provider",
    [
        ("with Dr. Patel", "patel"),
        ("w dr okafr", "okafor"),
        ("a dermatologist", "brooks"),
        ("someone in internal medicine", "okafor"),
        ("anyone is fine", "any"),
        ("whoever is free", "any"),
        ("I need to book a check-up", None),
        ("my books are overdue", None),
    ],
)
def test_the_clinician_by_name_misspelled_or_by_specialty(providers, text, provider):
    assert provider_in(text, providers) == provider


def test_a_request_gives_visit_type_clinician_day_and_time_together(providers):
    request = read("I'd like a video visit with Dr. Kim next Tuesday at half past four", providers, NOW)
    assert (request.visit_type, request.provider) == ("video", "kim")
    assert request.when.first_day.isoformat() == "2026-12-08" and request.when.at == time(16, 30)


def test_several_weekdays_are_all_kept(providers):
    request = read("any doctor, video, tuesday or wednesday morning", providers, NOW)
    assert request.when.weekdays == (1, 2) and request.when.window[0] < time(12)


@pytest.mark.parametrize(
    "text, parts",
    [
        (
            "cancel my Tuesday one and book me next week",
            [("cancel_appointment", "cancel my Tuesday one"), ("book_appointment", "book me next week")],
        ),
        (
            "hi, please move my appt with dr brooks to friday at 11",
            [("reschedule_appointment", "hi, please move my appt with dr brooks to friday at 11")],
        ),
        (
            "book a video visit and then thursday works too",
            [("book_appointment", "book a video visit and then thursday works too")],
        ),
    ],
)
def test_the_requests_one_message_holds(text, parts):
    assert split_requests(text) == parts


def test_a_move_is_cut_where_the_new_time_begins():
    assert split_change("move my Thursday appointment to Friday at 9") == (
        "move my Thursday appointment ",
        " Friday at 9",
    )


@pytest.fixture(scope="module")
def offers(providers):
    patel, kim = (next(p for p in providers if p.id == i) for i in ("patel", "kim"))
    return [
        Slot(patel, datetime(2026, 12, 8, 13, 0, tzinfo=CLINIC_TZ), "in_person"),
        Slot(patel, datetime(2026, 12, 8, 13, 30, tzinfo=CLINIC_TZ), "in_person"),
        Slot(kim, datetime(2026, 12, 10, 13, 30, tzinfo=CLINIC_TZ), "in_person"),
    ]


@pytest.mark.parametrize(
    "answer, fits",
    [
        ("the second one", [1]),
        ("the last", [2]),
        ("3", [2]),
        ("the 1 pm", [0]),
        ("1:30", [1, 2]),
        ("half past one", [1, 2]),
        ("thursday at 1:30", [2]),
        ("the 1:30 with dr kim", [2]),
        ("5 pm", []),
        ("on second thought, a phone call", []),
        ("December 12", []),
        ("12 dec at 1", []),
        ("dec 8 at 1", [0]),
        ("december 10", [2]),
    ],
)
def test_an_answer_is_matched_against_the_offers(providers, offers, answer, fits):
    assert chosen(answer, offers, providers) == fits


def test_a_button_label_is_its_offer(providers, offers):
    assert chosen(offers[2].label(), offers, providers) == [2]


@pytest.mark.parametrize(
    "text, answers",
    [
        (
            "I have had a sore throat and fever for 3 days",
            {"intake_symptoms": "sore throat, fever", "intake_since": "for 3 days"},
        ),
        (
            "twisted my knee 10 days ago and the pain is a solid seven",
            {"intake_symptoms": "twisted my knee", "intake_since": "10 days ago", "intake_severity": "7"},
        ),
        (
            "Been coughing for a week, no fever. I'm type 2 diabetic btw",
            {"intake_symptoms": "coughing", "intake_since": "for a week", "intake_conditions": "type 2 diabetic"},
        ),
        ("my back hurts, it's like an 8 out of 10", {"intake_symptoms": "my back hurts", "intake_severity": "8"}),
    ],
)
def test_the_intake_answers_a_message_gives(text, answers):
    found = intake_read(text, complaint=True)
    assert found["intake_reason"] == text
    assert {slot: found.get(slot) for slot in answers} == answers


def test_the_3_of_3_days_is_not_a_severity():
    assert "intake_severity" not in intake_read("fever for 3 days", complaint=True)


@pytest.mark.parametrize(
    "answer, meaning",
    [
        ("yes", True),
        ("looks good", True),
        ("good", True),
        ("all correct", True),
        ("yep", True),
        ("that's right", True),
        ("no", False),
        ("that's wrong", False),
        ("not quite", False),
        ("maybe later today", None),
    ],
)
def test_yes_or_no(answer, meaning):
    assert yes_or_no(tracker([said(answer)])) is meaning
