"""After the danger question ("Are you or someone with you in danger right now?") was answered no:
go on with what the message that raised it asked, as if the question had not been needed.

The question paused any form in progress; the form takes up again at its question. Otherwise the
message is handed back to the policies with the intent the model gave it, the way Rasa's own
two-stage fallback hands back an affirmed intent.
"""

from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, FollowupAction, UserUtteranceReverted, UserUttered
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.emergency import EMERGENCY_INTENT, LANGUAGE_ENTITY, POSSIBLE_EMERGENCY_INTENT, RED_FLAG_ENTITY

SAFETY_INTENTS = (EMERGENCY_INTENT, POSSIBLE_EMERGENCY_INTENT)
FALLBACK_INTENT = "nlu_fallback"


def _user_messages(tracker: Tracker) -> list[dict[str, Any]]:
    return [e for e in tracker.events if e.get("event") == "user"]


def _interrupted_form(tracker: Tracker, message: dict[str, Any]) -> Optional[str]:
    """The form that was active when `message` came, if any."""
    active = None
    for event in tracker.events:
        if event is message:
            return active
        if event.get("event") == "active_loop":
            active = event.get("name")
    return None


def _as_understood(message: dict[str, Any]) -> dict[str, Any]:
    """The message's parse with the model's best intent that is not safety's, and without safety's entities."""
    parse = message.get("parse_data") or {}
    ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") not in SAFETY_INTENTS]
    intent = ranking[0] if ranking else {"name": FALLBACK_INTENT, "confidence": 1.0}
    entities = [e for e in parse.get("entities") or [] if e.get("entity") not in (RED_FLAG_ENTITY, LANGUAGE_ENTITY)]
    return {**parse, "intent": intent, "intent_ranking": ranking, "entities": entities}


class ActionDangerDenied(Action):
    def name(self) -> str:
        return "action_danger_denied"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_danger_denied")
        messages = _user_messages(tracker)
        if len(messages) < 2:
            return []
        asked = messages[-2]  # the message that raised the question; the last one is the "no"
        form = _interrupted_form(tracker, asked)
        if form:
            return [FollowupAction(form)]
        return [
            UserUtteranceReverted(),
            ActionExecuted("action_listen"),
            UserUttered(asked.get("text"), parse_data=_as_understood(asked), input_channel=asked.get("input_channel")),
        ]
