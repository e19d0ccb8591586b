"""Deletion: what it will erase and what the law makes us keep, a yes, then the request to the
privacy team; the patient gets the reference and the due date."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import LeavableForm, call, confirm_validator, require_identity, start_form, vault, verified
from bot.actions.rights import explain, open_verified
from privacy import VaultError


def deletion_preview(subject: str) -> str:
    """What a deletion will erase, and what the law makes us keep and until when."""
    retention = vault().retention
    until, held = retention.medical_hold_until(subject), retention.held(subject)
    if until is None and not held:
        return "If you confirm, we'll erase everything we hold about you, including this conversation."
    kept = (
        f"until {until:%B %-d, %Y} (Texas law requires us to keep medical records 7 years after the last "
        "treatment, and for a minor until age 21)"
        if until and not held
        else "while a legal hold applies to them"
    )
    return (
        "If you confirm, we'll erase your contact details, your conversations with me and your messages. "
        f"Your medical records (health information, appointments, name and date of birth) must be kept {kept}; "
        "until then they are used for nothing else, and then they are erased too."
    )


class ActionStartDeletion(Action):
    def name(self) -> str:
        return "action_start_deletion"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if not verified(tracker):
            return require_identity(self.name())
        preview = await call(deletion_preview, verified(tracker))
        return start_form("deletion_form", SlotSet("deletion_preview", preview), SlotSet("deletion_confirm", None))


class ValidateDeletionForm(LeavableForm, FormValidationAction):
    validate_deletion_confirm = confirm_validator("deletion_confirm")

    def name(self) -> str:
        return "validate_deletion_form"


class ActionSubmitDeletion(Action):
    def name(self) -> str:
        return "action_submit_deletion"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        events = [SlotSet("deletion_confirm", None), SlotSet("deletion_preview", None)]
        if tracker.get_slot("deletion_confirm") != "yes":
            dispatcher.utter_message(response="utter_deletion_cancelled")
            return events
        try:
            request = await open_verified(tracker, "deletion")
        except VaultError as error:
            return explain(dispatcher, error) + events
        dispatcher.utter_message(
            response="utter_deletion_received", reference=request.id, due=f"{request.due_at:%B %-d, %Y}"
        )
        return events
