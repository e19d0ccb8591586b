"""Promotions: opting out (by the verified patient, or by anyone who gives an e-mail address or
a phone number) and opting in (verified, after a yes to the consent's wording)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import (
    LeavableForm,
    call,
    channel,
    confirm_validator,
    require_identity,
    start_form,
    vault,
    verified,
)
from bot.actions.rights import open_at_once
from privacy.errors import InvalidInput
from privacy.subjects import contact


class ActionStartOptOut(Action):
    """Stopping promotions needs no identity check: it discloses nothing and only stops messages."""

    def name(self) -> str:
        return "action_start_opt_out"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if not verified(tracker):
            return start_form("optout_form", SlotSet("optout_contact", None))
        request = await open_at_once(tracker, "marketing_opt_out")
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
    validate_marketing_confirm = confirm_validator("marketing_confirm")

    def name(self) -> str:
        return "validate_marketing_form"


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
