"""Booking, rescheduling, cancelling and listing appointments.

Each change is confirmed by the patient first. A confirmation (in the chat, and by text
when the patient agreed to texts) names time, place and provider, never a health detail.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import LeavableForm, call, now, pick, require_identity, start_form, verified, vault, yes_or_no
from bot.scheduling.slots import Offer, Slot, eligible, offer
from bot.scheduling.when import CLINIC_TZ, NotUnderstood, When, parse
from privacy.appointments import Appointment, SlotTaken
from privacy.consent import ConsentRequired

VISIT_WORDS = {
    "in_person": r"in[- ]?person|office|clinic|face[- ]to[- ]face|come in|visit in",
    "video": r"video|zoom|virtual|telehealth|online|facetime|camera",
    "phone": r"phone|call|telephone",
}
ANYONE = r"\b(any(one| one| doctor| provider| clinician)?|whoever|first available|no preference|doesn'?t matter|don'?t care|earliest)\b"
BOOKING_SLOTS = ("book_visit_type", "book_provider", "book_when", "book_slot", "book_offers", "book_confirm",
                 "book_choice_text", "appointment_choice", "cancel_confirm")


def slot_from_key(key: str) -> Slot:
    provider_id, starts_at, visit_type = key.split("|")
    return Slot(vault().clinic.provider(provider_id), datetime.fromisoformat(starts_at), visit_type)


def appointment_slot(appointment: Appointment) -> Slot:
    return Slot(vault().clinic.provider(appointment.provider_id), appointment.starts_at.astimezone(CLINIC_TZ),
                appointment.visit_type)


def reference(appointment_id: str) -> str:
    return f"A-{appointment_id[2:8].upper()}"


def _taken_between(provider_ids: list[str]):
    def taken(first: date, last: date):
        start = datetime.combine(first, time(0), CLINIC_TZ)
        return vault().appointments.taken(provider_ids, start, start + timedelta(days=(last - first).days + 1))
    return taken


def find_offer(tracker: Tracker, when: When) -> Offer:
    """Open slots for `when`, for the visit type and provider the conversation chose."""
    clinic = vault().clinic
    subject = verified(tracker)
    appointment = _chosen_appointment(tracker)
    if appointment:  # rescheduling: same visit type, same clinician
        visit_type, provider_id = appointment.visit_type, appointment.provider_id
    else:
        visit_type = tracker.get_slot("book_visit_type")
        provider_id = None if tracker.get_slot("book_provider") in (None, "any") else tracker.get_slot("book_provider")
    providers = eligible(clinic.providers, visit_type, provider_id, vault().consent.is_minor(subject))
    return offer(when, providers, visit_type, clinic.closures, _taken_between([p.id for p in providers]), now())


def _chosen_appointment(tracker: Tracker) -> Optional[Appointment]:
    chosen = tracker.get_slot("appointment_choice")
    if not chosen:
        return None
    return next((a for a in vault().appointments.upcoming(verified(tracker)) if a.id == chosen), None)


def offered(dispatcher: CollectingDispatcher, result: Offer) -> dict[str, Any]:
    """Slot values after proposing `result`: one exact match is chosen at once, else a choice is asked."""
    if result.problem:
        dispatcher.utter_message(response="utter_problem", problem=result.problem)
    if not result.slots:
        dispatcher.utter_message(response="utter_no_slots", problem="")
        return {"book_when": None, "book_offers": None, "book_slot": None}
    values: dict[str, Any] = {"book_offers": [s.key() for s in result.slots], "book_slot": None}
    if len(result.slots) == 1 and not result.problem:
        values.update(book_slot=result.slots[0].key(), book_choice_text=result.slots[0].describe())
    return values


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


class ActionStartBooking(Action):
    def name(self) -> str:
        return "action_start_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if not verified(tracker):
            return require_identity(self.name())
        prefill = _booking_request_entities(tracker)
        return start_form("booking_form", *[SlotSet(s, None) for s in BOOKING_SLOTS],
                          *[SlotSet(slot, value) for slot, value in prefill.items()])


def _booking_request_entities(tracker: Tracker) -> dict[str, Any]:
    """What the patient already said in the message that asked for the booking."""
    for event in reversed(tracker.events):
        if event.get("event") == "user" and (event.get("parse_data") or {}).get("intent", {}).get("name") == "book_appointment":
            entities = {e["entity"]: e["value"] for e in (event.get("parse_data") or {}).get("entities", [])}
            prefill = {}
            if entities.get("visit_type") in VISIT_WORDS:
                prefill["book_visit_type"] = entities["visit_type"]
            if entities.get("provider"):
                provider = _provider_named(entities["provider"])
                if provider:
                    prefill["book_provider"] = provider
            return prefill
    return {}


def _provider_named(text: str) -> Optional[str]:
    words = set(re.findall(r"[a-z]+", text.lower())) - {"dr", "doctor", "nurse", "np", "with", "see"}
    for provider in vault().clinic.providers:
        if words & set(re.findall(r"[a-z]+", provider.name.lower())) - {"dr", "np"}:
            return provider.id
        if words & set(provider.specialty.split()) - {"medicine", "family", "nurse"} or (
                "dermatologist" in words and provider.specialty == "dermatology") or (
                "pediatrician" in words and provider.specialty == "pediatrics"):
            return provider.id
    return None


def provider_list() -> str:
    return "; ".join(f"{p.name} ({p.specialty})" for p in vault().clinic.providers)


class ActionAskBookProvider(Action):
    def name(self) -> str:
        return "action_ask_book_provider"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        visit_type = tracker.get_slot("book_visit_type")
        buttons = [{"title": "Anyone, first available", "payload": "anyone"}] + [
            {"title": f"{p.name} ({p.specialty})", "payload": p.name}
            for p in vault().clinic.providers if visit_type in p.visit_types]
        dispatcher.utter_message(response="utter_ask_book_provider", buttons=buttons)
        return []


class ActionAskBookSlot(Action):
    def name(self) -> str:
        return "action_ask_book_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        slots = [slot_from_key(key) for key in tracker.get_slot("book_offers") or []]
        buttons = [{"title": s.label(), "payload": s.label()} for s in slots]
        dispatcher.utter_message(response="utter_ask_book_slot", buttons=buttons)
        return []


class ActionAskAppointmentChoice(Action):
    def name(self) -> str:
        return "action_ask_appointment_choice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        upcoming = await call(vault().appointments.upcoming, verified(tracker))
        buttons = [{"title": appointment_slot(a).label(), "payload": appointment_slot(a).label()} for a in upcoming]
        dispatcher.utter_message(response="utter_ask_appointment_choice", buttons=buttons)
        return []


class TimeChoice:
    """Validation shared by booking and rescheduling: when, which slot, and the confirmation."""

    async def validate_book_when(self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> dict[str, Any]:
        try:
            when = parse(value, now())
        except NotUnderstood:
            dispatcher.utter_message(response="utter_when_unclear")
            return {"book_when": None}
        return {"book_when": when.describe(), **offered(dispatcher, await call(find_offer, tracker, when))}

    async def validate_book_slot(self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> dict[str, Any]:
        slots = [slot_from_key(key) for key in tracker.get_slot("book_offers") or []]
        if value in [s.key() for s in slots]:  # chosen already (a single exact match)
            return {"book_slot": value}
        chosen = pick(value, [s.label() for s in slots])
        if chosen is not None:
            return {"book_slot": slots[chosen].key(), "book_choice_text": slots[chosen].describe()}
        return await self.validate_book_when(value, dispatcher, tracker, domain)  # another day or time

    async def validate_book_confirm(self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        answer = yes_or_no(tracker)
        if answer is None:
            dispatcher.utter_message(response="utter_yes_or_no")
            return {"book_confirm": None}
        if not answer:
            dispatcher.utter_message(response="utter_not_booked")
            return {"book_confirm": None, "book_slot": None, "book_when": None, "book_offers": None}
        return {"book_confirm": "yes"}


class ValidateBookingForm(LeavableForm, TimeChoice, FormValidationAction):
    def name(self) -> str:
        return "validate_booking_form"

    async def validate_book_visit_type(self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> dict[str, Any]:
        visit_type = next((v for v, words in VISIT_WORDS.items() if value == v or re.search(words, value, re.I)), None)
        if visit_type is None:
            dispatcher.utter_message(response="utter_visit_type_unknown")
            return {"book_visit_type": None}
        provider = vault().clinic.provider(tracker.get_slot("book_provider") or "")
        if provider and visit_type not in provider.visit_types:  # chosen before, from the request's words
            dispatcher.utter_message(response="utter_provider_no_visit_type", provider=provider.name,
                                     visit_type=visit_type.replace("_", " "))
            return {"book_visit_type": visit_type, "book_provider": None}
        return {"book_visit_type": visit_type}

    async def validate_book_provider(self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> dict[str, Any]:
        if re.search(ANYONE, value, re.I):
            return {"book_provider": "any"}
        provider_id = value if vault().clinic.provider(value) else _provider_named(value)
        if provider_id is None:
            dispatcher.utter_message(response="utter_provider_unknown", providers=provider_list())
            return {"book_provider": None}
        provider = vault().clinic.provider(provider_id)
        visit_type = tracker.get_slot("book_visit_type")
        if visit_type and visit_type not in provider.visit_types:
            dispatcher.utter_message(response="utter_provider_no_visit_type", provider=provider.name,
                                     visit_type=visit_type.replace("_", " "))
            return {"book_provider": None}
        return {"book_provider": provider_id}


class ValidateRescheduleForm(LeavableForm, TimeChoice, FormValidationAction):
    def name(self) -> str:
        return "validate_reschedule_form"

    async def validate_appointment_choice(self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker,
                                          domain: DomainDict) -> dict[str, Any]:
        return await choose_appointment(value, dispatcher, tracker)


class ValidateCancelForm(LeavableForm, FormValidationAction):
    def name(self) -> str:
        return "validate_cancel_form"

    async def validate_appointment_choice(self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker,
                                          domain: DomainDict) -> dict[str, Any]:
        return await choose_appointment(value, dispatcher, tracker)

    async def validate_cancel_confirm(self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> dict[str, Any]:
        answer = yes_or_no(tracker)
        if answer is None:
            dispatcher.utter_message(response="utter_yes_or_no")
            return {"cancel_confirm": None}
        return {"cancel_confirm": "yes" if answer else "no"}


async def choose_appointment(value: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    upcoming = await call(vault().appointments.upcoming, verified(tracker))
    if value in [a.id for a in upcoming]:
        chosen = next(a for a in upcoming if a.id == value)
    else:
        index = pick(value, [appointment_slot(a).label() for a in upcoming])
        if index is None:
            dispatcher.utter_message(response="utter_appointment_unknown")
            return {"appointment_choice": None}
        chosen = upcoming[index]
    return {"appointment_choice": chosen.id, "book_choice_text": appointment_slot(chosen).describe()}


async def _start_with_appointment(dispatcher: CollectingDispatcher, tracker: Tracker, form: str,
                                  goal: str) -> list[dict[str, Any]]:
    if not verified(tracker):
        return require_identity(goal)
    upcoming = await call(vault().appointments.upcoming, verified(tracker))
    if not upcoming:
        dispatcher.utter_message(response="utter_no_appointments")
        return []
    chosen = [SlotSet("appointment_choice", upcoming[0].id),
              SlotSet("book_choice_text", appointment_slot(upcoming[0]).describe())] if len(upcoming) == 1 else []
    return start_form(form, *[SlotSet(s, None) for s in BOOKING_SLOTS], *chosen)


class ActionStartReschedule(Action):
    def name(self) -> str:
        return "action_start_reschedule"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        return await _start_with_appointment(dispatcher, tracker, "reschedule_form", self.name())


class ActionStartCancel(Action):
    def name(self) -> str:
        return "action_start_cancel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        return await _start_with_appointment(dispatcher, tracker, "cancel_form", self.name())


def _retry_after_taken(dispatcher: CollectingDispatcher, tracker: Tracker, form: str,
                       taken: Slot) -> list[dict[str, Any]]:
    """Someone booked the slot first: propose the nearest others and ask again."""
    dispatcher.utter_message(response="utter_slot_taken")
    when = When(taken.starts_at.date(), taken.starts_at.date() + timedelta(days=7))
    values = offered(dispatcher, find_offer(tracker, when))
    values.update(book_slot=None, book_confirm=None)
    return [SlotSet(k, v) for k, v in values.items()] + [FollowupAction(form)]


class ActionBookAppointment(Action):
    def name(self) -> str:
        return "action_book_appointment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        slot = slot_from_key(tracker.get_slot("book_slot"))
        try:
            booked = await call(vault().appointments.book, verified(tracker), slot.provider.id, slot.starts_at,
                                slot.visit_type, actor="patient")
        except SlotTaken:
            return await call(_retry_after_taken, dispatcher, tracker, "booking_form", slot)
        dispatcher.utter_message(response="utter_booked", slot=slot.describe(), reference=reference(booked.id))
        if await send_confirmation(tracker, f"Healthtigo: your appointment is booked for {slot.describe()}. "
                                            f"Reference {reference(booked.id)}."):
            dispatcher.utter_message(response="utter_sms_confirmation_sent")
        return [*[SlotSet(s, None) for s in BOOKING_SLOTS], SlotSet("last_appointment", booked.id),
                FollowupAction("utter_offer_intake")]


class ActionRescheduleAppointment(Action):
    def name(self) -> str:
        return "action_reschedule_appointment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        slot = slot_from_key(tracker.get_slot("book_slot"))
        try:
            await call(vault().appointments.reschedule, verified(tracker), tracker.get_slot("appointment_choice"),
                       slot.starts_at, actor="patient", provider_id=slot.provider.id)
        except SlotTaken:
            return await call(_retry_after_taken, dispatcher, tracker, "reschedule_form", slot)
        dispatcher.utter_message(response="utter_rescheduled", slot=slot.describe())
        if await send_confirmation(tracker, f"Healthtigo: your appointment is moved to {slot.describe()}."):
            dispatcher.utter_message(response="utter_sms_confirmation_sent")
        return [SlotSet("last_appointment", tracker.get_slot("appointment_choice")),
                *[SlotSet(s, None) for s in BOOKING_SLOTS]]


class ActionCancelAppointment(Action):
    def name(self) -> str:
        return "action_cancel_appointment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        described = tracker.get_slot("book_choice_text")
        if tracker.get_slot("cancel_confirm") != "yes":
            dispatcher.utter_message(response="utter_not_cancelled")
        else:
            await call(vault().appointments.cancel, verified(tracker), tracker.get_slot("appointment_choice"),
                       actor="patient")
            dispatcher.utter_message(response="utter_cancelled", slot=described)
            if await send_confirmation(tracker, f"Healthtigo: your appointment on {described} is cancelled."):
                dispatcher.utter_message(response="utter_sms_confirmation_sent")
        return [SlotSet(s, None) for s in BOOKING_SLOTS]


class ActionListAppointments(Action):
    def name(self) -> str:
        return "action_list_appointments"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if not verified(tracker):
            return require_identity(self.name())
        upcoming = await call(vault().appointments.upcoming, verified(tracker))
        if not upcoming:
            dispatcher.utter_message(response="utter_no_appointments")
            return []
        lines = "\n".join(f"- {appointment_slot(a).describe()} (reference {reference(a.id)})" for a in upcoming)
        dispatcher.utter_message(response="utter_appointments", appointments=lines)
        return []
