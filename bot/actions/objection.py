"""Objection: the uses of the patient's data they object to (research, analytics, marketing;
all of them when they name none) stop at once."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import last_said, require_identity, verified
from bot.actions.rights import explain, named, open_at_once
from privacy import VaultError

OBJECTIONS = {
    "research": r"research|stud(?:y|ies)|trial",
    "analytics": r"analytic|statistic|improv|track|profil|ai\b",
    "marketing": r"market|promot|advert|offer|newsletter",
}


class ActionObjectProcessing(Action):
    def name(self) -> str:
        return "action_object_processing"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if not verified(tracker):
            return require_identity(self.name())
        purposes = named(last_said(tracker, ("object_processing",)), OBJECTIONS) or list(OBJECTIONS)
        try:
            request = await open_at_once(tracker, "objection", {"purposes": purposes})
        except VaultError as error:
            return explain(dispatcher, error)
        dispatcher.utter_message(response="utter_objection_done", purposes=" and ".join(purposes), reference=request.id)
        return []
