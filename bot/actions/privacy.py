"""Answers to questions about how Healthtigo handles data."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.privacy_topics import responses_for


class ActionAnswerPrivacyQuestion(Action):
    """Answers the part of the policy the question is about, not the whole policy."""

    def name(self) -> str:
        return "action_answer_privacy_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        for response in responses_for(tracker.latest_message.get("text") or ""):
            dispatcher.utter_message(response=response)
        return []
