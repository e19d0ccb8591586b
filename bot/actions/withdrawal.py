"""Withdrawal of consent (to care records, text messages, research or all of them): it takes
effect at once."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import LeavableForm, last_said, require_identity, start_form, verified
from bot.actions.rights import explain, named, open_at_once
from privacy import VaultError

WITHDRAWALS = {
    "care": r"health|medical|storing|store|records|intake",
    "sms": r"text|sms|messag",
    "research": r"research|analytic",
    "all": r"\ball\b|every|everything|both",
}
ALL_PURPOSES = ["care", "sms", "marketing", "analytics", "research", "third_party_sharing"]


class ActionStartWithdrawal(Action):
    def name(self) -> str:
        return "action_start_withdrawal"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if not verified(tracker):
            return require_identity(self.name())
        choices = named(last_said(tracker, ("withdraw_consent",)), WITHDRAWALS)
        return start_form("withdraw_form", SlotSet("withdraw_choice", choices[0] if len(choices) == 1 else None))


class ValidateWithdrawForm(LeavableForm, FormValidationAction):
    def name(self) -> str:
        return "validate_withdraw_form"

    async def validate_withdraw_choice(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        choice = value if value in WITHDRAWALS else next(iter(named(value, WITHDRAWALS)), None)
        if choice is None:
            dispatcher.utter_message(response="utter_withdraw_unknown")
        return {"withdraw_choice": choice}


class ActionSubmitWithdrawal(Action):
    def name(self) -> str:
        return "action_submit_withdrawal"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        choice = tracker.get_slot("withdraw_choice")
        purposes = {"all": ALL_PURPOSES, "research": ["research", "analytics"]}.get(choice, [choice])
        try:
            request = await open_at_once(tracker, "consent_withdrawal", {"purposes": purposes})
        except VaultError as error:
            return explain(dispatcher, error) + [SlotSet("withdraw_choice", None)]
        dispatcher.utter_message(
            response="utter_withdrawn", purposes=", ".join(p.replace("_", " ") for p in purposes), reference=request.id
        )
        if "care" in purposes:
            dispatcher.utter_message(response="utter_withdrawn_care_note")
        return [SlotSet("withdraw_choice", None)]
