"""The scripted conversations of tests/scenarios/ (written apart from the code), played over REST
against the running servers: the vault holds what the patient asked for, and no form asked
for anything the patient's messages had already given."""

import pytest

from harness.scenarios import Player, clear_schedule, load, problems, tomorrow_is_open

SCENARIOS = load()
# Scenarios the assistant does not yet pass, and why: each is expected to fail until fixed.
KNOWN_FAILURES = {
    "only the reason first, then symptoms and duration together": (
        '"I want to talk to someone about my anxiety" is read as asking for a person: '
        "the conversation goes to staff, not to the intake"
    ),
    "'10 works' fits two offered days: one clarifying question": (
        '"can i get 10am with dr brooks on tuesday or thursday, in person" is not read as a booking: '
        'the patient is told there are no appointments, and "10 works" after the offer to book is not understood'
    ),
}


def test_there_are_at_least_40_scenarios():
    assert len(SCENARIOS) >= 40


@pytest.fixture(scope="module")
def vault(stack):
    opened = stack.vault()
    yield opened
    opened.close()


@pytest.mark.parametrize(
    "scenario",
    [
        pytest.param(s, marks=pytest.mark.xfail(reason=KNOWN_FAILURES[s["name"]], strict=True))
        if s["name"] in KNOWN_FAILURES
        else s
        for s in SCENARIOS
    ],
    ids=[s["name"] for s in SCENARIOS],
)
def test_scenario(stack, vault, scenario):
    if scenario.get("skip_if_tomorrow_is_not_a_weekday") and not tomorrow_is_open(vault):
        pytest.skip("tomorrow the clinic is closed")
    clear_schedule(vault)  # the clinic's days hold only this scenario's appointments
    run = Player(stack, vault, scenario).play()
    transcript = "\n".join(run.transcript)
    assert run.asked_again == [], transcript
    assert problems(vault, scenario, run) == [], transcript
