"""Medication and billing questions, and handing the conversation to a person.

Medication: never dosing advice; a refill becomes a request for the care team, any other
question can go to a nurse or pharmacist. Billing: general answers from the clinic's
table; questions about one's own bill go to the billing team. Handoff: the bot pauses for
the conversation and a ticket with a short summary waits for staff.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import call, channel, last_said, now, require_identity, text, vault, verified
from bot.scheduling.when import CLINIC_TZ

REFILL = re.compile(
    r"refill|renew|run(?:ning)? out|ran out|out of my|more of my|new prescription|repeat prescription|"
    r"re-?fill|rx",
    re.I,
)
ACCOUNT = re.compile(
    r"\bmy (?:bill|invoice|balance|statement|account|payment|charge|copay)|charged|billed me|"
    r"refund|overcharg|double|owe|collections|explanation of benefits|\beob\b",
    re.I,
)
BILLING_TOPICS = (  # topic in the clinic's billing table, and the words that ask about it
    ("assistance", r"afford|assistance|payment plan|financial help|can'?t pay|discount"),
    (
        "insurance",
        r"insurance|insured|aetna|cigna|medicare|medicaid|blue ?cross|bcbs|humana|united|in[- ]network|"
        r"coverage|cover|plan accept|take my plan",
    ),
    ("payment", r"\bpay\b|payment|credit|debit|cash|hsa|fsa|apple pay|check"),
    ("prices", r"price|cost|how much|fee|rate|charge for|self[- ]pay|expensive|cheap"),
)
OPEN_HOURS = (time(8), time(17))


class ActionMedicationQuestion(Action):
    def name(self) -> str:
        return "action_medication_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        question = last_said(tracker, ("medication_question",))
        if not REFILL.search(question):
            dispatcher.utter_message(response="utter_medication_no_advice")
            return [FollowupAction("utter_offer_care_team")]
        if not verified(tracker):
            return require_identity(self.name())
        ticket = await call(
            vault().tickets.open,
            "refill",
            verified(tracker),
            f"Refill request: {question}",
            channel=channel(tracker),
            conversation_id=vault().conversations.id_for(tracker.sender_id),
        )
        dispatcher.utter_message(response="utter_refill_sent", reference=ticket.id)
        return []


class ActionMessageCareTeam(Action):
    def name(self) -> str:
        return "action_message_care_team"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if not verified(tracker):
            return require_identity(self.name())
        question = last_said(tracker, ("medication_question",))
        ticket = await call(
            vault().tickets.open,
            "clinician_message",
            verified(tracker),
            f"Question: {question}",
            channel=channel(tracker),
            conversation_id=vault().conversations.id_for(tracker.sender_id),
        )
        dispatcher.utter_message(response="utter_care_team_message_sent", reference=ticket.id)
        return []


class ActionBillingQuestion(Action):
    def name(self) -> str:
        return "action_billing_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        question = last_said(tracker, ("billing_question",))
        if ACCOUNT.search(question):
            if not verified(tracker):
                return require_identity(self.name())
            ticket = await call(
                vault().tickets.open,
                "billing",
                verified(tracker),
                f"Billing question: {question}",
                channel=channel(tracker),
                conversation_id=vault().conversations.id_for(tracker.sender_id),
            )
            dispatcher.utter_message(response="utter_billing_account", reference=ticket.id)
            return []
        answers = vault().clinic.billing
        topics = [topic for topic, words in BILLING_TOPICS if re.search(words, question, re.I)]
        if not topics:
            dispatcher.utter_message(response="utter_billing_general")
        for topic in topics:
            dispatcher.utter_message(response="utter_billing_answer", answer=answers[topic])
        return []


def next_opening(moment: datetime, closures: dict) -> datetime | None:
    """When the team is next at work, or None if it is now."""
    local = moment.astimezone(CLINIC_TZ)
    for days in range(0, 10):
        day = (local + timedelta(days=days)).date()
        if day.weekday() >= 5 or day in closures:
            continue
        opens, closes = (datetime.combine(day, t, CLINIC_TZ) for t in OPEN_HOURS)
        if days == 0 and opens <= local < closes:
            return None
        if local < opens:
            return opens
    return None


def summary(tracker: Tracker) -> str:
    """A short note for staff: the channel, what the patient asked about, their last words."""
    topics = []
    for event in tracker.events:
        name = (event.get("parse_data") or {}).get("intent", {}).get("name") if event.get("event") == "user" else None
        if name and name not in topics and name not in ("human_handoff", "greet", "affirm", "deny", "nlu_fallback"):
            topics.append(name.replace("_", " "))
    asked = ", ".join(topics[-5:]) or "nothing yet"
    return f"Asked for a person in the {channel(tracker)} chat. Topics: {asked}. Last message: {text(tracker)}"


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        def open_ticket():
            subject = verified(tracker) or vault().conversations.ensure(tracker.sender_id)
            return vault().tickets.open(
                "handoff",
                subject,
                summary(tracker),
                channel=channel(tracker),
                conversation_id=vault().conversations.id_for(tracker.sender_id),
            )

        ticket = await call(open_ticket)
        opens = next_opening(now(), vault().clinic.closures)
        if opens is None:
            dispatcher.utter_message(response="utter_handoff_open_hours", reference=ticket.id)
        else:
            dispatcher.utter_message(
                response="utter_handoff_closed_hours",
                reference=ticket.id,
                opens=f"{opens:%A} at {opens.strftime('%-I:%M %p').lower()}",
            )
        return [ConversationPaused()]
