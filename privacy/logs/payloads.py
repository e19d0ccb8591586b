"""What a log may show of a structured value: its shape, numbers and names, never its text.

Rasa logs events, slot values, parse data and tracker states as objects and dictionaries. A
string is shown only under a key that names something the domain, the model or the code
defines (an intent, an action, a slot, an entity type); any other string is withheld, and so is
any value of a kind not listed here. An event shows as its type and the name it carries.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from enum import Enum
from typing import Any

from privacy.logs.exceptions import kind
from privacy.logs.urls import logged_path

WITHHELD = "[withheld]"

# Keys whose string values are names from the domain, the model or the code, never a patient's words.
NAMES = frozenset(
    {
        "event",  # an event's type; a structured log line's name
        "event_info",  # Rasa's description of a structured log line
        "level",
        "name",  # an action's, slot's, form's or intent's
        "intent",
        "intent_name",
        "action_name",
        "action_extract_slot",
        "active_loop",
        "policy_name",
        "entity",
        "entities",  # in tracker states: the entity types a message had
        "role",
        "group",
        "extractor",
        "processors",
        "input_channel",
        "requested_slot",
        "utter_action",
    }
)
URLS = frozenset({"url"})


def summary(value: Any, key: str | None = None) -> Any:
    """`value` as a log may show it (`key`: the key it was found under)."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, str):
        return logged_path(value) if key in URLS else value if key in NAMES else WITHHELD
    if isinstance(value, BaseException):
        return kind(value)
    if callable(getattr(value, "as_dict", None)):  # Rasa's events and NLU messages
        try:
            value = value.as_dict()
        except Exception:  # not the as_dict of an event: show the type only
            return f"<{type(value).__name__}>"
    if isinstance(value, Mapping):
        if isinstance(value.get("event"), str):
            return event_summary(value)
        return {str(name): summary(item, str(name)) for name, item in value.items()}
    if isinstance(value, (list, tuple, Set)):
        return [summary(item, key) for item in value]
    return f"<{type(value).__name__}>"


def event_summary(event: Mapping) -> dict[str, str]:
    """An event's type and its name: the action's, slot's or form's; the user's intent; the bot's response."""
    shown = {"event": event["event"]}
    if event["event"] == "user":
        name = _get(event, "parse_data", "intent", "name")
    elif event["event"] == "bot":
        name = _get(event, "metadata", "utter_action")
    else:
        name = event.get("name")
    if isinstance(name, str):
        shown["name"] = name
    return shown


def _get(mapping: Mapping, *keys: str) -> Any:
    for key in keys:
        mapping = mapping.get(key) if isinstance(mapping, Mapping) else None
    return mapping
