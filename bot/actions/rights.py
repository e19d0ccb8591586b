"""The patient's data rights and consent choices, in the conversation.

Each starts the vault's request or consent change. Anything that discloses or changes
data needs the verified identity first; the one-time code that verified it is what the
request records as identity verification. Access and export are delivered at once as a
download link that expires; correction and deletion go to the privacy team, and the
patient gets the reference and the due date. Objection, opt-out and withdrawal take
effect at once.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import settings
from bot.actions.common import (
    LeavableForm,
    call,
    channel,
    confirmation,
    last_said,
    moved_to_web,
    require_identity,
    start_form,
    vault,
    verified,
)
from bot.actions.identity import birth_date, full_name
from privacy import VaultError
from privacy.errors import InvalidInput
from privacy.subjects import contact

ASSISTANT = "assistant"
CORRECTABLE = {
    "name": r"\bname\b",
    "birth_date": r"birth|dob|born",
    "phone": r"phone|mobile|cell|number",
    "email": r"e-?mail",
    "address": r"address|street|zip|city|moved",
}
OBJECTIONS = {
    "research": r"research|stud(?:y|ies)|trial",
    "analytics": r"analytic|statistic|improv|track|profil|ai\b",
    "marketing": r"market|promot|advert|offer|newsletter",
}
WITHDRAWALS = {
    "care": r"health|medical|storing|store|records|intake",
    "sms": r"text|sms|messag",
    "research": r"research|analytic",
    "all": r"\ball\b|every|everything|both",
}
ALL_PURPOSES = ["care", "sms", "marketing", "analytics", "research", "third_party_sharing"]


def _identity_note(tracker: Tracker) -> str:
    return f"one-time code in the {channel(tracker)} conversation"


async def open_verified(tracker: Tracker, kind: str, details: Optional[dict[str, Any]] = None):
    """Open a request for the verified patient, recorded as verified by the conversation's code."""

    def opened():
        request = vault().rights.open(verified(tracker), kind, channel=channel(tracker), details=details).request
        return vault().rights.confirm_identity(request.id, actor=ASSISTANT, how=_identity_note(tracker))

    return await call(opened)


def explain(dispatcher: CollectingDispatcher, error: VaultError) -> list[dict[str, Any]]:
    dispatcher.utter_message(response="utter_problem", problem=str(error))
    return []


class _Delivered:
    """Access and export: opened, carried out and delivered as an expiring link at once."""

    kind = ""
    response = ""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if moved_to_web(dispatcher, tracker, "utter_records_on_web"):
            return []
        if not verified(tracker):
            return require_identity(self.name())
        try:
            request = await open_verified(tracker, self.kind)
            result = await call(vault().rights.approve, request.id, actor=ASSISTANT)
        except VaultError as error:
            return explain(dispatcher, error)
        dispatcher.utter_message(
            response=self.response,
            reference=request.id,
            link=f"{settings.PUBLIC_URL}/webhooks/downloads/{result.download_token}",
        )
        return []


class ActionDataAccess(_Delivered, Action):
    kind, response = "access", "utter_access_ready"

    def name(self) -> str:
        return "action_data_access"


class ActionDataExport(_Delivered, Action):
    kind, response = "portability", "utter_export_ready"

    def name(self) -> str:
        return "action_data_export"


class ActionStartCorrection(Action):
    def name(self) -> str:
        return "action_start_correction"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if moved_to_web(dispatcher, tracker, "utter_records_on_web"):
            return []
        if not verified(tracker):
            return require_identity(self.name())
        said = last_said(tracker, ("request_data_correction",))
        field = next((f for f, words in CORRECTABLE.items() if re.search(words, said, re.I)), None)
        return start_form("correction_form", SlotSet("correction_field", field), SlotSet("correction_value", None))


class ValidateCorrectionForm(LeavableForm, FormValidationAction):
    def name(self) -> str:
        return "validate_correction_form"

    async def validate_correction_field(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        field = next((f for f, words in CORRECTABLE.items() if re.search(words, value, re.I)), None)
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
    def name(self) -> str:
        return "validate_deletion_form"

    async def validate_deletion_confirm(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return confirmation(dispatcher, tracker, "deletion_confirm")


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


def _named(text: str, table: dict[str, str]) -> list[str]:
    return [name for name, words in table.items() if re.search(words, text, re.I)]


class ActionObjectProcessing(Action):
    def name(self) -> str:
        return "action_object_processing"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if not verified(tracker):
            return require_identity(self.name())
        purposes = _named(last_said(tracker, ("object_processing",)), OBJECTIONS) or list(OBJECTIONS)
        try:  # carried out at once: nothing is disclosed or changed but the uses that stop
            request = await call(
                lambda: (
                    vault()
                    .rights.open(
                        verified(tracker), "objection", channel=channel(tracker), details={"purposes": purposes}
                    )
                    .request
                )
            )
        except VaultError as error:
            return explain(dispatcher, error)
        dispatcher.utter_message(response="utter_objection_done", purposes=" and ".join(purposes), reference=request.id)
        return []


class ActionStartOptOut(Action):
    """Stopping promotions needs no identity check: it discloses nothing and only stops messages."""

    def name(self) -> str:
        return "action_start_opt_out"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if not verified(tracker):
            return start_form("optout_form", SlotSet("optout_contact", None))
        request = await call(
            lambda: vault().rights.open(verified(tracker), "marketing_opt_out", channel=channel(tracker)).request
        )
        dispatcher.utter_message(response="utter_opted_out", reference=request.id)
        return []


class ValidateOptoutForm(LeavableForm, FormValidationAction):
    def name(self) -> str:
        return "validate_optout_form"

    async def validate_optout_contact(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        lookup = None
        for kind, normalize in (("email", contact.email), ("phone", contact.phone)):
            try:
                lookup = {kind: normalize(value)}
                break
            except InvalidInput:
                continue
        if lookup is None:
            dispatcher.utter_message(response="utter_ask_optout_contact")
        return {"optout_contact": next(iter(lookup.values())) if lookup else None}


class ActionSubmitOptOut(Action):
    def name(self) -> str:
        return "action_submit_opt_out"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        given = tracker.get_slot("optout_contact")

        def opt_out() -> None:
            subject = vault().patients.find_subject(**({"email": given} if "@" in given else {"phone": given}))
            if subject:
                vault().rights.open(subject, "marketing_opt_out", channel=channel(tracker))

        await call(opt_out)
        dispatcher.utter_message(response="utter_opt_out_done")  # the same words whether we know the address or not
        return [SlotSet("optout_contact", None)]


class ActionStartOptIn(Action):
    def name(self) -> str:
        return "action_start_opt_in"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if not verified(tracker):
            return require_identity(self.name())
        return start_form("marketing_form", SlotSet("marketing_confirm", None))


class ValidateMarketingForm(LeavableForm, FormValidationAction):
    def name(self) -> str:
        return "validate_marketing_form"

    async def validate_marketing_confirm(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return confirmation(dispatcher, tracker, "marketing_confirm")


class ActionSubmitOptIn(Action):
    def name(self) -> str:
        return "action_submit_opt_in"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if tracker.get_slot("marketing_confirm") != "yes":
            dispatcher.utter_message(response="utter_marketing_unchanged")
        else:
            await call(
                vault().consent.grant,
                verified(tracker),
                "marketing",
                channel=channel(tracker),
                wording=domain["responses"]["utter_ask_marketing_confirm"][0]["text"],
            )
            dispatcher.utter_message(response="utter_marketing_on")
        return [SlotSet("marketing_confirm", None)]


class ActionStartWithdrawal(Action):
    def name(self) -> str:
        return "action_start_withdrawal"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if not verified(tracker):
            return require_identity(self.name())
        named = _named(last_said(tracker, ("withdraw_consent",)), WITHDRAWALS)
        return start_form("withdraw_form", SlotSet("withdraw_choice", named[0] if len(named) == 1 else None))


class ValidateWithdrawForm(LeavableForm, FormValidationAction):
    def name(self) -> str:
        return "validate_withdraw_form"

    async def validate_withdraw_choice(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        named = value if value in WITHDRAWALS else next(iter(_named(value, WITHDRAWALS)), None)
        if named is None:
            dispatcher.utter_message(response="utter_withdraw_unknown")
        return {"withdraw_choice": named}


class ActionSubmitWithdrawal(Action):
    def name(self) -> str:
        return "action_submit_withdrawal"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        choice = tracker.get_slot("withdraw_choice")
        purposes = {"all": ALL_PURPOSES, "research": ["research", "analytics"]}.get(choice, [choice])
        try:
            request = await call(
                lambda: (
                    vault()
                    .rights.open(
                        verified(tracker),
                        "consent_withdrawal",
                        channel=channel(tracker),
                        details={"purposes": purposes},
                    )
                    .request
                )
            )
        except VaultError as error:
            return explain(dispatcher, error) + [SlotSet("withdraw_choice", None)]
        dispatcher.utter_message(
            response="utter_withdrawn", purposes=", ".join(p.replace("_", " ") for p in purposes), reference=request.id
        )
        if "care" in purposes:
            dispatcher.utter_message(response="utter_withdrawn_care_note")
        return [SlotSet("withdraw_choice", None)]


STATUS_WORDS = {
    "received": "received",
    "identity_verified": "received, identity checked",
    "in_progress": "being handled",
    "completed": "completed",
    "denied": "declined",
    "partially_completed": "partly completed",
    "open": "waiting for our team",
    "claimed": "being handled",
    "closed": "done",
}


class ActionRequestStatus(Action):
    def name(self) -> str:
        return "action_request_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if not verified(tracker):
            return require_identity(self.name())
        subject = verified(tracker)
        requests = await call(vault().rights.list, open_only=False, subject_id=subject)
        tickets = [t for t in await call(vault().tickets.of_subject, subject) if t.kind != "handoff"]
        lines = [
            f"- {r.id} ({r.kind.replace('_', ' ')}): {STATUS_WORDS[r.status]}"
            + (f", due by {r.due_at:%B %-d}" if r.status in ("received", "identity_verified", "in_progress") else "")
            for r in requests
        ]
        lines += [f"- {t.id} ({t.kind.replace('_', ' ')}): {STATUS_WORDS[t.status]}" for t in tickets]
        if not lines:
            dispatcher.utter_message(response="utter_no_requests")
        else:
            dispatcher.utter_message(response="utter_request_statuses", statuses="\n".join(lines))
        return []
