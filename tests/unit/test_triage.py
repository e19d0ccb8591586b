"""The triage table routes; it never diagnoses."""

import pytest

from safety.triage import EMERGENCY, ROUTINE, SELF_CARE, URGENT, Answers, days_since, triage


@pytest.mark.parametrize(
    "answers, level",
    [
        (Answers(reason="my chest pain came back", severity=5), EMERGENCY),
        (Answers(reason="stomach ache", symptoms="cramps", severity=9), URGENT),
        (Answers(reason="fever", symptoms="high fever and I can't keep anything down", severity=6), URGENT),
        (Answers(reason="bleeding", symptoms="I'm pregnant and have some bleeding", severity=4), URGENT),
        (Answers(reason="a cold", symptoms="runny nose and sneezing", since_days=2, severity=2), SELF_CARE),
        (Answers(reason="a cold", symptoms="runny nose", since_days=10, severity=2), ROUTINE),  # too long for self-care
        (Answers(reason="a cold", symptoms="runny nose and a fever", since_days=2, severity=2), ROUTINE),
        (Answers(reason="check-up", symptoms="none", severity=0), ROUTINE),
        (Answers(reason="rash on my arm", since_days=3, severity=3), ROUTINE),
    ],
)
def test_each_rule_routes_as_the_table_says(answers, level):
    assert triage(answers).level == level


@pytest.mark.parametrize(
    "said, days",
    [
        ("3 days", 3),
        ("about a week", 7),
        ("yesterday", 1),
        ("this morning", 0),
        ("two weeks", 14),
        ("since Monday", 5),
        ("a couple of days", 2),
        ("the day before yesterday", 2),
        ("I don't remember", None),
    ],
)
def test_since_when_is_read_in_days(said, days):
    assert days_since(said) == days
