"""Booking an appointment. The request's own words fill what they can ("a video visit with a
dermatologist next Tuesday afternoon"); the form asks only for the rest: the kind of visit and
when. A clinician is never asked for: without one, the first available is offered, and any
answer may name one, or change what was said before ("actually make it a video visit", "can I
see Dr. Kim instead")."""

from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import LeavableForm, call, intent, now, require_identity, start_form, text, vault, verified
from bot.actions.scheduling import (
    BOOKING_SLOTS,
    UNCHOSEN,
    TimeChoice,
    next_request,
    one_at_a_time,
    provider_list,
    reference,
    request_said,
    retry_after_taken,
    send_confirmation,
    slot_from_key,
)
from bot.scheduling.request import VISIT_WORDS, read, unknown_clinician
from privacy.clinic.appointments import SlotTaken
from privacy.clinic.reference import Provider


class ActionStartBooking(Action):
    def name(self) -> str:
        return "action_start_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if not verified(tracker):
            return require_identity(self.name())
        said = request_said(tracker)
        split = one_at_a_time(said) if said else None
        if split:
            return split
        request = read(said.text, vault().clinic.providers, now(), said.entities) if said else None
        # The form's slots the request gives start as the request's text: their validation reads it.
        given = (
            {
                slot: said.text
                for slot, value in (("book_visit_type", request.visit_type), ("book_when", request.when))
                if value
            }
            if request
            else {}
        )
        if request and request.provider:
            given["book_provider"] = request.provider
        return start_form(
            "booking_form",
            SlotSet("current_request", None),
            *[SlotSet(s, None) for s in BOOKING_SLOTS],
            *[SlotSet(slot, value) for slot, value in given.items()],
        )


class ActionUnaskedDetails(Action):
    """A message that answers no question and that the model did not read as a request: when it
    asks for a visit without saying so, booking starts with it; otherwise the usual answer."""

    def name(self) -> str:
        return "action_unasked_details"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        said = text(tracker)
        request = read(said, vault().clinic.providers, now(), tracker.latest_message.get("entities") or [])
        if request.asks_for_a_visit():
            return [SlotSet("current_request", ["book_appointment", said]), FollowupAction("action_start_booking")]
        dispatcher.utter_message(
            response="utter_ask_rephrase" if intent(tracker) == "nlu_fallback" else "utter_default"
        )
        return []


def _offers(provider: Optional[Provider], visit_type: Optional[str]) -> bool:
    return provider is None or visit_type not in VISIT_WORDS or visit_type in provider.visit_types


class ValidateBookingForm(LeavableForm, TimeChoice, FormValidationAction):
    def name(self) -> str:
        return "validate_booking_form"

    def ready(self, tracker: Tracker) -> bool:
        return tracker.get_slot("book_visit_type") in VISIT_WORDS

    def changes(self, said: str, tracker: Tracker, dispatcher: CollectingDispatcher, answering: str) -> dict[str, Any]:
        """The visit type, clinician and time `said` asks for, where they differ from before. A
        time given without a clinician means anyone; a clinician who does not offer the visit
        type is said so, and the one not just named is asked again."""

        def before(slot: str) -> Optional[str]:
            return None if slot == answering else tracker.get_slot(slot)

        entities = tracker.latest_message.get("entities") or [] if said == text(tracker) else []
        request = read(said, vault().clinic.providers, now(), entities)
        found: dict[str, Any] = {
            slot: value
            for slot, value in (("book_visit_type", request.visit_type), ("book_provider", request.provider))
            if value and value != before(slot)
        }
        found.update(super().changes(said, tracker, dispatcher, answering))
        if request.provider is None and unknown_clinician(said, vault().clinic.providers):
            dispatcher.utter_message(response="utter_provider_unknown", providers=provider_list())
        visit_type = found.get("book_visit_type", before("book_visit_type"))
        provider = vault().clinic.provider(found.get("book_provider", before("book_provider")) or "")
        if not _offers(provider, visit_type):
            dispatcher.utter_message(
                response="utter_provider_no_visit_type", provider=provider.name, visit_type=visit_type.replace("_", " ")
            )
            found[
                "book_visit_type" if "book_provider" in found and "book_visit_type" not in found else "book_provider"
            ] = None
        return {**found, **UNCHOSEN} if found else found

    async def validate_book_visit_type(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self.answer("book_visit_type", value, tracker, dispatcher, "utter_visit_type_unknown")


class ActionBookAppointment(Action):
    def name(self) -> str:
        return "action_book_appointment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        slot = slot_from_key(tracker.get_slot("book_slot"))
        try:
            booked = await call(
                vault().appointments.book,
                verified(tracker),
                slot.provider.id,
                slot.starts_at,
                slot.visit_type,
                actor="patient",
            )
        except SlotTaken:
            return await call(retry_after_taken, dispatcher, tracker, "booking_form", slot)
        dispatcher.utter_message(response="utter_booked", slot=slot.describe(), reference=reference(booked.id))
        if await send_confirmation(
            tracker, f"Healthtigo: your appointment is booked for {slot.describe()}. Reference {reference(booked.id)}."
        ):
            dispatcher.utter_message(response="utter_sms_confirmation_sent")
        return [
            *[SlotSet(s, None) for s in BOOKING_SLOTS],
            SlotSet("last_appointment", booked.id),
            *(next_request(tracker) or [FollowupAction("utter_offer_intake")]),
        ]
