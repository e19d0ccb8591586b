"""Action-server answers validated with one compiled validator instead of a new one per call.

Rasa 3.6 checks every answer of the action server with `jsonschema.validate(result, schema)`,
which looks up the validator class, checks the schema itself and builds a validator on
every call. This start-up patch replaces RemoteAction._validate_action_result with the
same check (same schema, same errors, same message) done by a validator built once.
tests/unit/test_action_validation.py fails if Rasa's method stops being that call.
"""

from __future__ import annotations

from typing import Any

from jsonschema import validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


def install() -> None:
    """Replace the validation once."""
    if getattr(RemoteAction._validate_action_result, "compiled", False):
        return
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            f". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error

    _validate_action_result.compiled = True
    RemoteAction._validate_action_result = _validate_action_result
