"""Rescheduling, cancelling and listing appointments. The request names the appointment when it
can ("my Thursday appointment", "the 2pm one", "the one with Dr. Okafor") and, for a move, the
new time ("to Friday at 9"); the forms ask only for what it left open."""

from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import LeavableForm, call, confirm_validator, now, require_identity, start_form, vault, verified
from bot.actions.scheduling import (
    BOOKING_SLOTS,
    TimeChoice,
    appointment_slot,
    chosen_appointment,
    next_request,
    one_at_a_time,
    reference,
    request_said,
    retry_after_taken,
    send_confirmation,
    slot_from_key,
)
from bot.scheduling.choice import chosen
from bot.scheduling.request import Booked, appointments_named, changes_an_appointment, read, split_change, when_in
from bot.scheduling.when import CLINIC_TZ, When
from privacy.clinic.appointments import Appointment, SlotTaken


def _booked(upcoming: list[Appointment]) -> list[Booked]:
    return [Booked(a.id, a.starts_at.astimezone(CLINIC_TZ), a.provider_id, a.visit_type) for a in upcoming]


def _chosen(appointment: Appointment) -> dict[str, Any]:
    return {"appointment_choice": appointment.id, "book_choice_text": appointment_slot(appointment).describe()}


async def _start(
    dispatcher: CollectingDispatcher, tracker: Tracker, form: str, goal: str, moving: bool
) -> list[dict[str, Any]]:
    """Start `form` with the appointment the request names (or the ones it may mean) and, for a
    move, the new time it gives."""
    if not verified(tracker):
        return require_identity(goal)
    said = request_said(tracker)
    split = one_at_a_time(said) if said else None
    if split:
        return split
    if (
        said
        and not changes_an_appointment(said.text)
        and read(said.text, vault().clinic.providers, now()).asks_for_a_visit()
    ):
        # "whoever's free next tuesday at 9am": a visit asked for, whatever the model's intent
        return [SlotSet("current_request", ["book_appointment", said.text]), FollowupAction("action_start_booking")]
    upcoming = await call(vault().appointments.upcoming, verified(tracker))
    if not upcoming:
        return [SlotSet("current_request", None), *(next_request(tracker) or [FollowupAction("utter_no_appointments")])]
    naming, new_time = split_change(said.text) if said and moving else (said.text if said else "", "")
    named = appointments_named(naming, _booked(upcoming), vault().clinic.providers, now())
    if not named:
        dispatcher.utter_message(response="utter_appointment_not_found")
        named = _booked(upcoming)
    given: dict[str, Any] = {}
    if len(named) == 1:
        given.update(_chosen(next(a for a in upcoming if a.id == named[0].id)))
    elif len(named) < len(upcoming):
        given["appointment_options"] = [b.id for b in named]
    if new_time and when_in(new_time, now()):
        given["book_when"] = new_time
    return start_form(
        form,
        SlotSet("current_request", None),
        *[SlotSet(s, None) for s in BOOKING_SLOTS],
        *[SlotSet(slot, value) for slot, value in given.items()],
    )


async def choose_appointment(value: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """Which appointment the answer picks, among those offered; several fitting get one more question."""
    upcoming = await call(vault().appointments.upcoming, verified(tracker))
    options = tracker.get_slot("appointment_options") or [a.id for a in upcoming]
    listed = [a for a in upcoming if a.id in options]
    picked = next((a for a in upcoming if a.id == value), None)
    if picked:
        return _chosen(picked)
    fits = chosen(value, [appointment_slot(a) for a in listed], vault().clinic.providers)
    if len(fits) == 1:
        return {**_chosen(listed[fits[0]]), "appointment_options": None}
    if len(fits) > 1:
        dispatcher.utter_message(response="utter_appointment_which")
        return {"appointment_choice": None, "appointment_options": [listed[i].id for i in fits]}
    dispatcher.utter_message(response="utter_appointment_unknown")
    return {"appointment_choice": None}


class ActionAskAppointmentChoice(Action):
    def name(self) -> str:
        return "action_ask_appointment_choice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        upcoming = await call(vault().appointments.upcoming, verified(tracker))
        options = tracker.get_slot("appointment_options") or [a.id for a in upcoming]
        buttons = [
            {"title": appointment_slot(a).label(), "payload": appointment_slot(a).label()}
            for a in upcoming
            if a.id in options
        ]
        dispatcher.utter_message(response="utter_ask_appointment_choice", buttons=buttons)
        return []


class ActionStartReschedule(Action):
    def name(self) -> str:
        return "action_start_reschedule"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        return await _start(dispatcher, tracker, "reschedule_form", self.name(), moving=True)


class ActionStartCancel(Action):
    def name(self) -> str:
        return "action_start_cancel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        return await _start(dispatcher, tracker, "cancel_form", self.name(), moving=False)


class ValidateRescheduleForm(LeavableForm, TimeChoice, FormValidationAction):
    def name(self) -> str:
        return "validate_reschedule_form"

    def ready(self, tracker: Tracker) -> bool:
        return bool(tracker.get_slot("appointment_choice"))

    def anchor(self, tracker: Tracker) -> Optional[When]:
        appointment = chosen_appointment(tracker)
        if appointment is None:
            return None
        day = appointment.starts_at.astimezone(CLINIC_TZ).date()
        return When(day, day)

    async def validate_appointment_choice(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await choose_appointment(value, dispatcher, tracker)


class ValidateCancelForm(LeavableForm, FormValidationAction):
    def name(self) -> str:
        return "validate_cancel_form"

    async def validate_appointment_choice(
        self, value: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await choose_appointment(value, dispatcher, tracker)

    validate_cancel_confirm = confirm_validator("cancel_confirm")


class ActionRescheduleAppointment(Action):
    def name(self) -> str:
        return "action_reschedule_appointment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        slot = slot_from_key(tracker.get_slot("book_slot"))
        try:
            await call(
                vault().appointments.reschedule,
                verified(tracker),
                tracker.get_slot("appointment_choice"),
                slot.starts_at,
                actor="patient",
                provider_id=slot.provider.id,
            )
        except SlotTaken:
            return await call(retry_after_taken, dispatcher, tracker, "reschedule_form", slot)
        dispatcher.utter_message(response="utter_rescheduled", slot=slot.describe())
        if await send_confirmation(tracker, f"Healthtigo: your appointment is moved to {slot.describe()}."):
            dispatcher.utter_message(response="utter_sms_confirmation_sent")
        return [
            SlotSet("last_appointment", tracker.get_slot("appointment_choice")),
            *[SlotSet(s, None) for s in BOOKING_SLOTS],
            *next_request(tracker),
        ]


class ActionCancelAppointment(Action):
    def name(self) -> str:
        return "action_cancel_appointment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        described = tracker.get_slot("book_choice_text")
        following = next_request(tracker)
        if tracker.get_slot("cancel_confirm") != "yes":
            dispatcher.utter_message(response="utter_not_cancelled")
            return [*[SlotSet(s, None) for s in BOOKING_SLOTS], *following]
        await call(
            vault().appointments.cancel, verified(tracker), tracker.get_slot("appointment_choice"), actor="patient"
        )
        dispatcher.utter_message(response="utter_cancelled", slot=described)
        if await send_confirmation(tracker, f"Healthtigo: your appointment on {described} is cancelled."):
            dispatcher.utter_message(response="utter_sms_confirmation_sent")
        return [*[SlotSet(s, None) for s in BOOKING_SLOTS], *(following or [FollowupAction("utter_offer_rebooking")])]


class ActionListAppointments(Action):
    def name(self) -> str:
        return "action_list_appointments"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if not verified(tracker):
            return require_identity(self.name())
        upcoming = await call(vault().appointments.upcoming, verified(tracker))
        if not upcoming:
            return [FollowupAction("utter_no_appointments")]
        lines = "\n".join(f"- {appointment_slot(a).describe()} (reference {reference(a.id)})" for a in upcoming)
        dispatcher.utter_message(response="utter_appointments", appointments=lines)
        return []
