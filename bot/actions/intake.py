"""Health intake before a visit, and triage.

Before the first answer is stored the patient gives (or refuses) explicit consent to
the storage of health data for their care; without it, or without a verified identity,
the questions go on and nothing is stored, and the patient is told so. What the patient
already said (bot/intake/reading.py) is not asked again. Any answer can be skipped, and
corrected at the end ("change allergies", or "actually it's been 3 days"); "stop" leaves
the form.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import (
    LeavableForm,
    answered_yes_or_no,
    call,
    channel,
    intent,
    moved_to_web,
    skipped,
    start_form,
    text,
    vault,
    verified,
    yes_or_no,
)
from bot.intake.reading import read, severity_in
from safety import CALL_911, assess
from safety.triage import EMERGENCY, ROUTINE, SELF_CARE, URGENT, Answers, days_since, triage

QUESTIONS = {  # slot: (label in the summary, words that name it when correcting)
    "intake_reason": ("Reason for the visit", r"reason"),
    "intake_symptoms": ("Symptoms", r"symptom"),
    "intake_since": ("Since", r"since|when|how long|start"),
    "intake_severity": ("Severity (0-10)", r"severity|sever|pain|how bad|score|number"),
    "intake_medications": ("Medicines", r"medic|drug|pill"),
    "intake_allergies": ("Allergies", r"allerg"),
    "intake_conditions": ("Conditions", r"condition|illness|history|disease"),
}
TRIAGE_RESPONSES = {URGENT: "utter_triage_urgent", ROUTINE: "utter_triage_routine", SELF_CARE: "utter_triage_self_care"}
SKIPPED = "skipped"
NOT_IDENTIFIED = "not identified"


class ActionStartIntake(Action):
    """Starts the intake with what the message that led to it already said."""

    def name(self) -> str:
        return "action_start_intake"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if moved_to_web(dispatcher, tracker, "utter_intake_on_web"):
            return []
        events = [SlotSet(slot, None) for slot in (*QUESTIONS, "intake_consent", "intake_confirm")]
        complaint = intent(tracker) == "report_symptoms"
        if complaint:
            dispatcher.utter_message(response="utter_symptoms_start")
        events += [SlotSet(slot, value) for slot, value in read(text(tracker), complaint).items()]
        subject = verified(tracker)
        if subject is None:
            dispatcher.utter_message(response="utter_intake_not_identified")
            events.append(SlotSet("intake_consent", NOT_IDENTIFIED))
        elif await call(vault().consent.allows, subject, "care"):
            events.append(SlotSet("intake_consent", "yes"))
        return start_form("intake_form", *events)


class ValidateIntakeForm(LeavableForm, FormValidationAction):
    def name(self) -> str:
        return "validate_intake_form"

    async def validate_intake_consent(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "intake_consent" and value in ("yes", NOT_IDENTIFIED):
            return {"intake_consent": value}  # set by action_start_intake, not an answer to the question
        if verified(tracker) is None:
            return {"intake_consent": NOT_IDENTIFIED}
        answer = answered_yes_or_no(dispatcher, tracker)
        if answer is None:
            return {"intake_consent": None}
        record = vault().consent.grant if answer else vault().consent.withdraw
        await call(
            record,
            verified(tracker),
            "care",
            channel=channel(tracker),
            wording=domain["responses"]["utter_ask_intake_consent"][0]["text"],
        )
        if not answer:
            dispatcher.utter_message(response="utter_intake_not_stored")
        return {"intake_consent": "yes" if answer else "no"}

    async def validate_intake_severity(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if skipped(value):
            return {"intake_severity": SKIPPED}
        score = severity_in(value, cued=False)
        if score is None:
            dispatcher.utter_message(response="utter_severity_invalid")
            return {"intake_severity": None}
        return {**also_said(value, tracker, "intake_severity"), "intake_severity": str(score)}

    async def validate_intake_confirm(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        corrected = {slot: answer for slot, answer in read(value, complaint=False).items() if slot != "intake_reason"}
        if corrected:  # "actually it's been 3 days, not 2": the summary again, corrected
            return {**corrected, "intake_confirm": None}
        if yes_or_no(tracker) is True:
            return {"intake_confirm": "yes"}
        for slot, (_, words) in QUESTIONS.items():
            if re.search(words, value, re.I):
                return {"intake_confirm": None, slot: None}  # asked again, then the summary again
        dispatcher.utter_message(response="utter_which_answer")
        return {"intake_confirm": None}

    # Free-text answers: kept as written (up to 500 characters), or "skipped".
    async def validate_intake_reason(self, value: str, _, tracker: Tracker, __) -> dict[str, Any]:
        return free_text(value, tracker, "intake_reason")

    async def validate_intake_symptoms(self, value: str, _, tracker: Tracker, __) -> dict[str, Any]:
        return free_text(value, tracker, "intake_symptoms")

    async def validate_intake_since(self, value: str, _, tracker: Tracker, __) -> dict[str, Any]:
        return free_text(value, tracker, "intake_since")

    async def validate_intake_medications(self, value: str, _, tracker: Tracker, __) -> dict[str, Any]:
        return free_text(value, tracker, "intake_medications")

    async def validate_intake_allergies(self, value: str, _, tracker: Tracker, __) -> dict[str, Any]:
        return free_text(value, tracker, "intake_allergies")

    async def validate_intake_conditions(self, value: str, _, tracker: Tracker, __) -> dict[str, Any]:
        return free_text(value, tracker, "intake_conditions")


def also_said(value: str, tracker: Tracker, answering: str) -> dict[str, str]:
    """The other questions an answer also answers, among those not answered yet ("trouble
    sleeping, for about 10 days" answers since when too)."""
    return {
        slot: found
        for slot, found in read(value, complaint=False).items()
        if slot != answering and tracker.get_slot(slot) is None
    }


def free_text(value: str, tracker: Tracker, slot: str) -> dict[str, str]:
    if skipped(value):
        return {slot: SKIPPED}
    return {**also_said(value, tracker, slot), slot: value.strip()[:500]}


class ActionAskIntakeConfirm(Action):
    def name(self) -> str:
        return "action_ask_intake_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        summary = "\n".join(f"- {label}: {tracker.get_slot(slot) or SKIPPED}" for slot, (label, _) in QUESTIONS.items())
        dispatcher.utter_message(
            response="utter_ask_intake_confirm",
            summary=summary,
            buttons=[{"title": "Yes, that's right", "payload": "yes"}],
        )
        return []


def _answers(tracker: Tracker) -> dict[str, str]:
    return {slot: tracker.get_slot(slot) for slot in QUESTIONS if tracker.get_slot(slot) not in (None, SKIPPED)}


def store(tracker: Tracker, answers: dict[str, str]) -> int:
    """Store each answer as an encrypted intake record, linked to the patient's next appointment."""
    subject, appointment = verified(tracker), tracker.get_slot("last_appointment")
    if appointment is None:
        upcoming = vault().appointments.upcoming(subject)
        appointment = upcoming[0].id if upcoming else None
    for slot, value in answers.items():
        vault().records.put(
            subject,
            "intake",
            f"{QUESTIONS[slot][0]}: {value}",
            actor="patient",
            reason="health intake",
            appointment_id=appointment,
        )
    return len(answers)


class ActionSubmitIntake(Action):
    def name(self) -> str:
        return "action_submit_intake"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        answers = _answers(tracker)
        if tracker.get_slot("intake_consent") == "yes" and verified(tracker) and answers:
            await call(store, tracker, answers)
            dispatcher.utter_message(response="utter_intake_saved")
        result = triage(
            Answers(
                reason=answers.get("intake_reason", ""),
                symptoms=answers.get("intake_symptoms", ""),
                since_days=days_since(answers.get("intake_since", "")),
                severity=int(answers["intake_severity"]) if "intake_severity" in answers else None,
                conditions=answers.get("intake_conditions", ""),
            )
        )
        events = [SlotSet(slot, None) for slot in (*QUESTIONS, "intake_consent", "intake_confirm")]
        if result.level == EMERGENCY:  # the slots first, so that the answer leads with the right line
            found = assess(" ".join(answers.values()))
            return [
                *events,
                SlotSet("red_flag", found.line or CALL_911),
                SlotSet("language", found.language),
                FollowupAction("utter_emergency"),
            ]
        dispatcher.utter_message(response=TRIAGE_RESPONSES[result.level])
        return events
