"""Correction: which detail is wrong and its right value, sent to the privacy team; the patient
gets the reference and the due date."""

from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import LeavableForm, last_said, moved_to_web, require_identity, start_form, verified
from bot.actions.identity import birth_date, full_name
from bot.actions.rights import explain, named, open_verified
from privacy import VaultError
from privacy.errors import InvalidInput
from privacy.subjects import contact

CORRECTABLE = {
    "name": r"\bname\b",
    "birth_date": r"birth|dob|born",
    "phone": r"phone|mobile|cell|number",
    "email": r"e-?mail",
    "address": r"address|street|zip|city|moved",
}


def _field(text: str) -> Optional[str]:
    """The first detail `text` names."""
    return next(iter(named(text, CORRECTABLE)), None)


class ActionStartCorrection(Action):
    def name(self) -> str:
        return "action_start_correction"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if moved_to_web(dispatcher, tracker, "utter_records_on_web"):
            return []
        if not verified(tracker):
            return require_identity(self.name())
        field = _field(last_said(tracker, ("request_data_correction",)))
        return start_form("correction_form", SlotSet("correction_field", field), SlotSet("correction_value", None))


class ValidateCorrectionForm(LeavableForm, FormValidationAction):
    def name(self) -> str:
        return "validate_correction_form"

    async def validate_correction_field(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        field = _field(value)
        if field is None:
            dispatcher.utter_message(response="utter_correction_field_unknown")
        return {"correction_field": field}

    async def validate_correction_value(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        field = tracker.get_slot("correction_field")
        checked = corrected(field, value)
        if not checked:
            problems = {
                "phone": "utter_phone_invalid",
                "email": "utter_email_invalid",
                "birth_date": "utter_birth_date_invalid",
                "name": "utter_name_invalid",
            }
            dispatcher.utter_message(response=problems.get(field, "utter_ask_correction_value"))
        return {"correction_value": checked}


def corrected(field: str, value: str) -> Optional[str]:
    """The new value in its stored form, or None if it is not a valid one."""
    try:
        if field == "phone":
            return contact.phone(value)
        if field == "email":
            return contact.email(value)
    except InvalidInput:
        return None
    if field == "name":
        return full_name(value)
    if field == "birth_date":
        born = birth_date(value)
        return born.isoformat() if born else None
    return value.strip() or None


class ActionSubmitCorrection(Action):
    def name(self) -> str:
        return "action_submit_correction"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        details = {"field": tracker.get_slot("correction_field"), "value": tracker.get_slot("correction_value")}
        events = [SlotSet("correction_field", None), SlotSet("correction_value", None)]
        try:
            request = await open_verified(tracker, "correction", details)
        except VaultError as error:
            return explain(dispatcher, error) + events
        dispatcher.utter_message(
            response="utter_correction_received", reference=request.id, due=f"{request.due_at:%B %-d, %Y}"
        )
        return events
