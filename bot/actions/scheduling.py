"""What booking, rescheduling and cancelling share: the request the patient made, the offers,
choosing a time, confirmations by text, and the next request of a message that held two.

Each change is confirmed by the patient first. A confirmation (in the chat, and by text when the
patient agreed to texts) names time, place and provider, never a health detail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import answered_yes_or_no, call, now, vault, verified
from bot.scheduling.choice import chosen
from bot.scheduling.request import split_requests, when_in
from bot.scheduling.slots import Offer, Slot, eligible, offer
from bot.scheduling.when import CLINIC_TZ, When, merged
from privacy.clinic.appointments import Appointment
from privacy.compliance.consent import ConsentRequired

BOOKING_SLOTS = (
    "book_visit_type",
    "book_provider",
    "book_when",
    "book_window",
    "book_slot",
    "book_offers",
    "book_confirm",
    "book_choice_text",
    "appointment_choice",
    "appointment_options",
    "cancel_confirm",
)
UNCHOSEN = {"book_offers": None, "book_slot": None, "book_confirm": None, "book_choice_text": None}
START = {
    "book_appointment": "action_start_booking",
    "reschedule_appointment": "action_start_reschedule",
    "cancel_appointment": "action_start_cancel",
}
FORMS = ("booking_form", "reschedule_form", "cancel_form")


def slot_from_key(key: str) -> Slot:
    provider_id, starts_at, visit_type = key.split("|")
    return Slot(vault().clinic.provider(provider_id), datetime.fromisoformat(starts_at), visit_type)


def appointment_slot(appointment: Appointment) -> Slot:
    return Slot(
        vault().clinic.provider(appointment.provider_id),
        appointment.starts_at.astimezone(CLINIC_TZ),
        appointment.visit_type,
    )


def reference(appointment_id: str) -> str:
    return f"A-{appointment_id[2:8].upper()}"


def provider_list() -> str:
    return "; ".join(f"{p.name} ({p.specialty})" for p in vault().clinic.providers)


# -- the request ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Said:
    """The message (or the part of one) that asked for what is starting now."""

    intent: str
    text: str
    entities: list = field(default_factory=list)


def request_said(tracker: Tracker) -> Optional[Said]:
    """The request being started: the part of a message set aside for now (`current_request`),
    or the latest message with a scheduling intent, unless a scheduling form has run since it
    (it was dealt with). An identity check in between changes nothing."""
    current = tracker.get_slot("current_request")
    if current:
        return Said(current[0], current[1])
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") in FORMS:
            return None
        if event.get("event") == "user":
            parse = event.get("parse_data") or {}
            name = (parse.get("intent") or {}).get("name")
            if name in START:
                return Said(name, event.get("text") or "", parse.get("entities") or [])
    return None


def _first_of(requests: list) -> list[dict[str, Any]]:
    """The events that start the first of `requests` ((intent, text) pairs) and keep the rest."""
    (intent, text), rest = requests[0], requests[1:]
    return [
        SlotSet("current_request", [intent, text]),
        SlotSet("queued_requests", [list(r) for r in rest] or None),
        FollowupAction(START[intent]),
    ]


def one_at_a_time(said: Said) -> Optional[list[dict[str, Any]]]:
    """For a message that holds several requests, the events that start the first and keep the
    others for later; None for a single request."""
    requests = [(intent or said.intent, text) for intent, text in split_requests(said.text)]
    return _first_of(requests) if len(requests) >= 2 else None


def next_request(tracker: Tracker) -> list[dict[str, Any]]:
    """The events that start the next request kept for later, if there is one."""
    queued = tracker.get_slot("queued_requests") or []
    return _first_of(queued) if queued else []


# -- offers -----------------------------------------------------------------------------------


def _taken_between(provider_ids: list[str]):
    def taken(first: date, last: date):
        start = datetime.combine(first, time(0), CLINIC_TZ)
        return vault().appointments.taken(provider_ids, start, start + timedelta(days=(last - first).days + 1))

    return taken


def chosen_appointment(tracker: Tracker) -> Optional[Appointment]:
    choice = tracker.get_slot("appointment_choice")
    if not choice:
        return None
    return next((a for a in vault().appointments.upcoming(verified(tracker)) if a.id == choice), None)


def find_offer(tracker: Tracker, when: When) -> Offer:
    """Open slots for `when`, for the visit type and provider the conversation chose."""
    clinic = vault().clinic
    subject = verified(tracker)
    appointment = chosen_appointment(tracker)
    if appointment:  # rescheduling: same visit type, same clinician
        visit_type, provider_id = appointment.visit_type, appointment.provider_id
    else:
        visit_type = tracker.get_slot("book_visit_type")
        provider_id = None if tracker.get_slot("book_provider") in (None, "any") else tracker.get_slot("book_provider")
    providers = eligible(clinic.providers, visit_type, provider_id, vault().consent.is_minor(subject))
    return offer(when, providers, visit_type, clinic.closures, _taken_between([p.id for p in providers]), now())


def offered(dispatcher: CollectingDispatcher, result: Offer) -> dict[str, Any]:
    """Slot values after proposing `result`: one exact match is chosen at once, else a choice is asked."""
    if result.problem:
        dispatcher.utter_message(response="utter_problem", problem=result.problem)
    if not result.slots:
        dispatcher.utter_message(response="utter_no_slots", problem="")
        return {"book_when": None, "book_window": None, "book_offers": None, "book_slot": None}
    values: dict[str, Any] = {"book_offers": [s.key() for s in result.slots], "book_slot": None}
    if len(result.slots) == 1 and not result.problem:
        values.update(book_slot=result.slots[0].key(), book_choice_text=result.slots[0].describe())
    return values


class TimeChoice:
    """Validation shared by booking and rescheduling: when, which offered time, the confirmation.
    Any answer may also change what was asked before ("no, the afternoon"); the offers follow."""

    def ready(self, tracker: Tracker) -> bool:
        """Whether everything but the time is known, so that times can be offered."""
        raise NotImplementedError

    def anchor(self, tracker: Tracker) -> Optional[When]:
        """The day a time said alone belongs to, if any ("move it to 3pm": the appointment's day)."""
        return None

    def changes(self, text: str, tracker: Tracker, dispatcher: CollectingDispatcher, answering: str) -> dict[str, Any]:
        """Slot values for what `text` asks anew (here: the day or time), read against what was
        asked before; `answering` is the slot the text answers (its value is the text itself)."""
        when = when_in(text, now())
        if when is None:
            return {}
        before = None if answering == "book_when" else When.from_slot(tracker.get_slot("book_window"))
        window = merged(when, before)
        if before == window:
            return {}
        return {"book_when": window.describe(), "book_window": window.to_slot(), **UNCHOSEN}

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """The answers validated, then, once everything but the time is known, the times offered."""
        events = await super().get_validation_events(dispatcher, tracker, domain)
        window = When.from_slot(tracker.get_slot("book_window"))
        if (
            window is None
            or tracker.get_slot("book_offers")
            or tracker.get_slot("book_slot")
            or not self.ready(tracker)
        ):
            return events
        if not window.day_given:
            window = merged(window, await call(self.anchor, tracker))
        values = offered(dispatcher, await call(find_offer, tracker, window))
        return events + [SlotSet(slot, value) for slot, value in values.items()]

    def answer(
        self, slot: str, value: str, tracker: Tracker, dispatcher: CollectingDispatcher, unclear: str
    ) -> dict[str, Any]:
        """What an answer to `slot`'s question changes. One that does not give the slot asks it
        again, after `unclear` when it changed nothing else either."""
        found = self.changes(value, tracker, dispatcher, answering=slot)
        if slot not in found:
            if not found:
                dispatcher.utter_message(response=unclear)
            found[slot] = None
        return found

    async def validate_book_when(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self.answer("book_when", value, tracker, dispatcher, "utter_when_unclear")

    async def validate_book_slot(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        slots = [slot_from_key(key) for key in tracker.get_slot("book_offers") or []]
        keys = [s.key() for s in slots]
        if value in keys:  # chosen already (a single exact match)
            return {"book_slot": value}
        fits = chosen(value, slots, vault().clinic.providers)
        if len(fits) == 1:
            return {"book_slot": keys[fits[0]], "book_choice_text": slots[fits[0]].describe()}
        if len(fits) > 1:
            dispatcher.utter_message(response="utter_slot_which")
            return {"book_slot": None, "book_offers": [keys[i] for i in fits]}
        found = self.changes(value, tracker, dispatcher, answering="book_slot")
        if not found:
            dispatcher.utter_message(response="utter_slot_unknown")
        return {"book_slot": None, **found}

    async def validate_book_confirm(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        found = self.changes(value, tracker, dispatcher, answering="book_confirm")
        if found:  # "wait, actually make it 2pm"
            return {"book_confirm": None, **found}
        answer = answered_yes_or_no(dispatcher, tracker)
        if answer is None:
            return {"book_confirm": None}
        if not answer:
            dispatcher.utter_message(response="utter_not_booked")
            return {**UNCHOSEN, "book_when": None, "book_window": None}
        return {"book_confirm": "yes"}


# -- after a change ---------------------------------------------------------------------------


def retry_after_taken(
    dispatcher: CollectingDispatcher, tracker: Tracker, form: str, taken: Slot
) -> list[dict[str, Any]]:
    """Someone booked the slot first: propose the nearest others and ask again."""
    dispatcher.utter_message(response="utter_slot_taken")
    when = When(taken.starts_at.date(), taken.starts_at.date() + timedelta(days=7))
    values = offered(dispatcher, find_offer(tracker, when))
    values.update(book_slot=None, book_confirm=None)
    return [SlotSet(k, v) for k, v in values.items()] + [FollowupAction(form)]


async def send_confirmation(tracker: Tracker, message: str) -> bool:
    """Text the patient a confirmation if they agreed to texts; True if one was queued."""
    subject = verified(tracker)

    def queue() -> bool:
        phone = vault().patients.contact(subject, "sms", reason="appointment confirmation")
        if phone is None:
            return False
        try:
            vault().outbox.queue(subject, "sms", "confirmation", phone, message)
        except ConsentRequired:
            return False
        return True

    return await call(queue)


class ActionAskBookSlot(Action):
    def name(self) -> str:
        return "action_ask_book_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        slots = [slot_from_key(key) for key in tracker.get_slot("book_offers") or []]
        buttons = [{"title": s.label(), "payload": s.label()} for s in slots]
        dispatcher.utter_message(response="utter_ask_book_slot", buttons=buttons)
        return []
