"""What the data-rights actions share: opening a request for the verified patient, reading
which purposes or details a message names, and telling the patient why the vault refused.

Each rights action starts the vault's request or consent change. Anything that discloses or
changes data needs the verified identity first; the one-time code that verified it is what the
request records as identity verification.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import call, channel, vault, verified
from privacy import VaultError

ASSISTANT = "assistant"


def _identity_note(tracker: Tracker) -> str:
    return f"one-time code in the {channel(tracker)} conversation"


def _opened(tracker: Tracker, kind: str, details: Optional[dict[str, Any]]):
    return vault().rights.open(verified(tracker), kind, channel=channel(tracker), details=details).request


async def open_verified(tracker: Tracker, kind: str, details: Optional[dict[str, Any]] = None):
    """Open a request for the verified patient, recorded as verified by the conversation's code."""

    def opened():
        request = _opened(tracker, kind, details)
        return vault().rights.confirm_identity(request.id, actor=ASSISTANT, how=_identity_note(tracker))

    return await call(opened)


async def open_at_once(tracker: Tracker, kind: str, details: Optional[dict[str, Any]] = None):
    """Open a request for the verified patient that the vault carries out as it opens (objection,
    opt-out, withdrawal): nothing is disclosed or changed but the uses that stop."""
    return await call(_opened, tracker, kind, details)


def explain(dispatcher: CollectingDispatcher, error: VaultError) -> list[dict[str, Any]]:
    dispatcher.utter_message(response="utter_problem", problem=str(error))
    return []


def named(text: str, table: dict[str, str]) -> list[str]:
    """The names in `table` whose words `text` uses."""
    return [name for name, words in table.items() if re.search(words, text, re.I)]
