"""Who the patient is: name + date of birth + a one-time code to the contact on file (web),
or registration of a new patient. Whether a patient exists is never revealed: a code is
"sent if the details match", and a wrong code gets the same answer either way."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Optional

import dateparser
from babel import Locale
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import settings
from bot.actions.common import (
    LeavableForm,
    answered_yes_or_no,
    call,
    channel,
    now,
    text,
    vault,
    verified,
    verified_value,
)
from privacy.compliance.consent import age_on
from privacy.errors import InvalidInput, NotFound
from privacy.subjects import contact
from privacy.subjects.identity import VerificationFailed

CODE_GONE = "That code is no longer valid: ask me again and I'll send a new one."
IDENTITY_SLOTS = (
    "id_name",
    "id_birth_date",
    "id_code",
    "id_code_ref",
    "reg_name",
    "reg_birth_date",
    "reg_phone",
    "reg_email",
    "reg_sms_consent",
)
MINOR = "minor"


def birth_date(text: str) -> Optional[date]:
    """A date of birth in the past, read month first ("03/14/1961", "March 14 1961")."""
    if not re.search(r"\d", text):
        return None
    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={"DATE_ORDER": "MDY", "PREFER_DATES_FROM": "past", "REQUIRE_PARTS": ["day", "month", "year"]},
    )
    if parsed is None or not date(1900, 1, 1) <= parsed.date() < now().date():
        return None
    return parsed.date()


def region_names(codes: list[str]) -> str:
    """ "the United States and Canada" for ["US", "CA"]."""
    names = [Locale("en").territories.get(code, code) for code in codes]
    names = [f"the {name}" if name.startswith("United") else name for name in names]
    return " and ".join(filter(None, [", ".join(names[:-1]), names[-1]])) if names else ""


def full_name(text: str) -> Optional[str]:
    try:
        name = contact.name(text)
    except InvalidInput:
        return None
    name = re.sub(r"^(?:my name is|i am|i'm|it's|this is)\s+", "", name, flags=re.I)
    return name if len(name.split()) >= 2 and not re.search(r"\d", name) else None


async def send_code(dispatcher: CollectingDispatcher, tracker: Tracker, subject: Optional[str], claim: str) -> str:
    """Start the check of `claim`, matched to `subject` (None: no patient); the answer is the same
    whatever was sent (privacy/subjects/identity.py)."""
    code_ref = await call(vault().identity.send_code, subject, claim=claim, conversation=tracker.sender_id)
    dispatcher.utter_message(response="utter_code_sent")
    return code_ref


async def check_code(dispatcher: CollectingDispatcher, tracker: Tracker, value: str) -> dict[str, Any]:
    """Verify the code typed against the one sent; the conversation is then the patient's."""
    try:
        subject = await call(vault().identity.verify, tracker.get_slot("id_code_ref") or "", re.sub(r"\D", "", value))
    except VerificationFailed as error:
        dispatcher.utter_message(response="utter_problem", problem=str(error))
        if not error.retry:
            return {"id_code": "failed"}
        return {"id_code": None, **({"id_code_ref": error.fresh_code_id} if error.fresh_code_id else {})}
    except NotFound:
        dispatcher.utter_message(response="utter_problem", problem=CODE_GONE)
        return {"id_code": "failed"}
    await call(vault().conversations.link_patient, tracker.sender_id, subject)
    return {"id_code": "verified", "verified_subject": verified_value(tracker, subject)}


NEW_PATIENT = re.compile(
    r"new patient|never been|first (?:time|visit)|not (?:a patient|registered)|register|"
    r"sign (?:me )?up as|don'?t have (?:a file|an account)",
    re.I,
)


class ValidateIdentifyForm(LeavableForm, FormValidationAction):
    def name(self) -> str:
        return "validate_identify_form"

    def leave_for(self, tracker: Tracker) -> Optional[str]:
        """Someone asked for their name who is new to Healthtigo registers instead."""
        return "registration_form" if NEW_PATIENT.search(text(tracker)) else None

    async def validate_id_name(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        name = full_name(value)
        if name is None:
            dispatcher.utter_message(response="utter_name_invalid")
        return {"id_name": name}

    async def validate_id_birth_date(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        born = birth_date(value)
        if born is None:
            dispatcher.utter_message(response="utter_birth_date_invalid")
            return {"id_birth_date": None}
        name = tracker.get_slot("id_name")
        subject = await call(vault().patients.find_subject, name=name, birth_date=born)
        claim = vault().identity.claim(name, born)
        return {"id_birth_date": born.isoformat(), "id_code_ref": await send_code(dispatcher, tracker, subject, claim)}

    async def validate_id_code(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await check_code(dispatcher, tracker, value)


class ValidateRegistrationForm(LeavableForm, FormValidationAction):
    def name(self) -> str:
        return "validate_registration_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return [] if tracker.get_slot("reg_birth_date") == MINOR else domain_slots

    async def validate_reg_name(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        name = full_name(value)
        if name is None:
            dispatcher.utter_message(response="utter_name_invalid")
        return {"reg_name": name}

    async def validate_reg_birth_date(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        born = birth_date(value)
        if born is None:
            dispatcher.utter_message(response="utter_birth_date_invalid")
            return {"reg_birth_date": None}
        if age_on(born, now().date()) < 18:
            dispatcher.utter_message(response="utter_minor_registration")
            return {"reg_birth_date": MINOR}
        return {"reg_birth_date": born.isoformat()}

    async def validate_reg_phone(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            number = contact.phone(value)
        except InvalidInput:
            dispatcher.utter_message(response="utter_phone_invalid")
            return {"reg_phone": None}
        if contact.region(number) not in settings.SMS_REGIONS:
            dispatcher.utter_message(response="utter_phone_region", regions=region_names(settings.SMS_REGIONS))
            return {"reg_phone": None}
        return {"reg_phone": number}

    async def validate_reg_email(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            return {"reg_email": contact.email(value)}
        except InvalidInput:
            dispatcher.utter_message(response="utter_email_invalid")
            return {"reg_email": None}

    async def validate_reg_sms_consent(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = answered_yes_or_no(dispatcher, tracker)
        if answer is None:
            return {"reg_sms_consent": None}
        subject = await call(register, tracker, answer, _sms_wording(domain))
        claim = vault().identity.claim(
            tracker.get_slot("reg_name"), date.fromisoformat(tracker.get_slot("reg_birth_date"))
        )
        code_ref = await send_code(dispatcher, tracker, subject, claim)
        return {"reg_sms_consent": "yes" if answer else "no", "id_code_ref": code_ref}

    async def validate_id_code(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await check_code(dispatcher, tracker, value)


def _sms_wording(domain: DomainDict) -> str:
    return domain["responses"]["utter_ask_reg_sms_consent"][0]["text"]


def register(tracker: Tracker, sms_consent: bool, wording: str) -> str:
    """The new patient's subject (or the existing one with the same name and date of birth)."""
    name, born = tracker.get_slot("reg_name"), date.fromisoformat(tracker.get_slot("reg_birth_date"))
    existing = vault().patients.find_subject(name=name, birth_date=born)
    if existing:
        return existing
    patient = vault().patients.register(
        name,
        born,
        phone=tracker.get_slot("reg_phone"),
        email=tracker.get_slot("reg_email"),
        actor="patient",
        reason="registration in the assistant",
    )
    record = vault().consent.grant if sms_consent else vault().consent.withdraw
    record(patient.subject_id, "sms", channel=channel(tracker), wording=wording)
    return patient.subject_id


class ActionIdentify(Action):
    """By SMS, the number texting us identifies a patient who gave it; otherwise the identity form."""

    def name(self) -> str:
        return "action_identify"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        subject = await call(vault().sms.patient_of, tracker.sender_id) if channel(tracker) == "sms" else None
        if subject is None:
            return [FollowupAction("identify_form")]
        await call(vault().conversations.link_patient, tracker.sender_id, subject)
        dispatcher.utter_message(response="utter_verified_by_phone")
        goal = tracker.get_slot("pending_goal")
        return [SlotSet("verified_subject", verified_value(tracker, subject)), SlotSet("pending_goal", None)] + (
            [FollowupAction(goal)] if goal else []
        )


class ActionAfterIdentification(Action):
    """Once the identity form is done: carry on with what the patient asked for, or say why not."""

    def name(self) -> str:
        return "action_after_identification"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        cleared = [SlotSet(slot, None) for slot in IDENTITY_SLOTS] + [SlotSet("pending_goal", None)]
        if not verified(tracker):
            if tracker.get_slot("reg_birth_date") != MINOR:
                dispatcher.utter_message(response="utter_not_verified")
            return cleared
        dispatcher.utter_message(response="utter_verified")
        goal = tracker.get_slot("pending_goal")
        return cleared + ([FollowupAction(goal)] if goal else [])
