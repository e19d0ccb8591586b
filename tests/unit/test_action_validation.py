"""The start-up patch that validates action-server answers with one compiled validator."""

import inspect

import jsonschema
import pytest
import rasa.core.actions.action as rasa_action
from rasa.core.actions.action import RemoteAction

from bot.plugins import action_validation

ANSWERS = [
    {
        "events": [{"event": "slot", "name": "book_when", "value": "tomorrow"}],
        "responses": [{"response": "utter_booked", "slot": "Monday"}],
    },
    {"events": [], "responses": []},
    {"events": "not a list", "responses": []},
    {"events": [{"event": "slot"}], "responses": "not a list"},
    {"events": [{"no_event_key": 1}], "responses": []},
]


def test_rasa_still_builds_a_validator_per_call():
    """If this fails, Rasa changed how it validates answers: review bot/plugins/action_validation.py."""
    source = inspect.getsource(rasa_action.RemoteAction)
    method = source[
        source.index("def _validate_action_result") : source.index(
            "@staticmethod", source.index("def _validate_action_result")
        )
    ]
    assert "validate(result, self.action_response_format_spec())" in method
    assert "from jsonschema import validate" in method


@pytest.mark.parametrize("answer", ANSWERS)
def test_the_compiled_check_decides_and_explains_as_rasa_does(answer):
    try:
        jsonschema.validate(answer, RemoteAction.action_response_format_spec())
        expected = None
    except jsonschema.ValidationError as error:
        expected = error.message
    action_validation.install()
    assert RemoteAction._validate_action_result.compiled
    remote = RemoteAction("action_test", None)
    if expected is None:
        assert remote._validate_action_result(answer) is True
    else:
        with pytest.raises(jsonschema.ValidationError) as raised:
            remote._validate_action_result(answer)
        assert raised.value.message.startswith(expected + ". Failed to validate Action server response")
