"""What the actions share: the vault, running its calls off the event loop, who is talking,
the identity gate, and reading a yes or a no."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import Any, Callable, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import settings
from bot import identity_seal
from privacy import Vault, shared_vault
from privacy.clock import utc_now

CHANNELS = {"sms": "sms"}  # any other input channel is the web chat


def vault() -> Vault:
    """The action server's vault (runtime/action_server.py opens it at start, so that a missing
    key or an old schema stops the server rather than a conversation)."""
    return shared_vault()


async def call(function: Callable, *args: Any, **kwargs: Any) -> Any:
    """Run a (blocking) vault call in a worker thread."""
    return await asyncio.to_thread(function, *args, **kwargs)


def now() -> datetime:
    return utc_now()


def channel(tracker: Tracker) -> str:
    return CHANNELS.get(tracker.get_latest_input_channel() or "", "web")


def text(tracker: Tracker) -> str:
    return (tracker.latest_message.get("text") or "").strip()


def intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def last_said(tracker: Tracker, intents: tuple[str, ...]) -> str:
    """What the patient last said with one of these intents (the request an identity check interrupted)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user" and (event.get("parse_data") or {}).get("intent", {}).get("name") in intents:
            return event.get("text") or ""
    return text(tracker)


def verified(tracker: Tracker) -> Optional[str]:
    """The verified patient's pseudonymous subject id, if this conversation has one (bot/identity_seal.py)."""
    return identity_seal.opened(tracker.sender_id, tracker.get_slot("verified_subject"))


def verified_value(tracker: Tracker, subject: str) -> str:
    """The `verified_subject` value that makes `subject` this conversation's verified patient."""
    return identity_seal.sealed(tracker.sender_id, subject)


def moved_to_web(dispatcher: CollectingDispatcher, tracker: Tracker, response: str) -> bool:
    """By SMS, say `response` (continue in the secure web chat, at {url}) and answer True."""
    if channel(tracker) != "sms":
        return False
    dispatcher.utter_message(response=response, url=settings.WEB_CHAT_URL)
    return True


def require_identity(goal: str) -> list[dict[str, Any]]:
    """Find out who the patient is first (bot/actions/identity.py); `goal` (an action) runs once they are verified."""
    return [SlotSet("pending_goal", goal), FollowupAction("action_identify")]


def start_form(form: str, *events: dict[str, Any]) -> list[dict[str, Any]]:
    return [*events, FollowupAction(form)]


def end_form(*events: dict[str, Any]) -> list[dict[str, Any]]:
    """Leave the form; a second request of the same message is dropped with it."""
    return [
        *events,
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        SlotSet("queued_requests", None),
        SlotSet("current_request", None),
    ]


_YES = re.compile(
    r"^(y|yes|yeah|yea|ya|yep|yup|sure|ok|okay|alright|all right|correct|right|confirm|confirmed|"
    r"all correct|please do|go ahead|that'?s (?:right|correct|it)|that is (?:right|correct)|sounds good|"
    r"(?:looks |all )?good|looks right|perfect|great|exactly|absolutely|of course)\b",
    re.I,
)
_NO = re.compile(
    r"^(n|no|nope|nah|not now|no thanks|don'?t|do not|cancel|never mind|wrong|incorrect|not quite|"
    r"that'?s (?:wrong|not right))\b",
    re.I,
)


def yes_or_no(tracker: Tracker) -> Optional[bool]:
    """True for yes, False for no, None when the answer is neither (from the intent or the words)."""
    if intent(tracker) == "affirm" or _YES.match(text(tracker)):
        return True
    if intent(tracker) == "deny" or _NO.match(text(tracker)):
        return False
    return None


def answered_yes_or_no(dispatcher, tracker: Tracker) -> Optional[bool]:
    """The patient's yes or no to the question asked; None after asking again for one."""
    answer = yes_or_no(tracker)
    if answer is None:
        dispatcher.utter_message(response="utter_yes_or_no")
    return answer


def confirmation(dispatcher, tracker: Tracker, slot: str) -> dict[str, Any]:
    """A yes-or-no question's slot: "yes", "no", or None (asked again)."""
    answer = answered_yes_or_no(dispatcher, tracker)
    return {slot: None if answer is None else "yes" if answer else "no"}


def confirm_validator(slot: str) -> Callable:
    """A form validation's `validate_<slot>` method for a yes-or-no question (`confirmation`)."""

    async def validate(self, value: str, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        return confirmation(dispatcher, tracker, slot)

    return validate


_STOP = re.compile(
    r"^\s*(?:please )?(?:stop|quit|exit|end|abort|enough|never ?mind|nvm|forget (?:it|this|that)|"
    r"i (?:want|wanna|would like) to stop|let'?s stop|stop (?:this|that|it|asking|here|now)|"
    r"i don'?t want to (?:continue|go on|do this)|leave this|not now,? stop)"
    r"[\s,]*(?:please|now|thanks|thank you)?[\s.!]*$",
    re.I,
)
_PERSON = re.compile(
    r"\b(?:human|real person|a person|someone|somebody|agent|representative|operator|"
    r"staff|receptionist|transfer me|live chat)\b",
    re.I,
)


class _Answers(Tracker):
    """The tracker as a form's validation reads it: a slot a start action cleared (set to None)
    is not an answer, and needs no validation."""

    @classmethod
    def of(cls, tracker: Tracker) -> "_Answers":
        return cls(
            tracker.sender_id,
            tracker.slots,
            tracker.latest_message,
            tracker.events,
            tracker.is_paused(),
            tracker.followup_action,
            tracker.active_loop,
            tracker.latest_action_name,
        )

    def slots_to_validate(self) -> dict[str, Any]:
        return {k: v for k, v in super().slots_to_validate().items() if v is not None}


class LeavableForm:
    """Mixed into a form's validation: at any question the patient can say "stop" or ask for a
    person. Words decide, not the NLU alone: a name or a date typed as an answer can look like
    any intent to the model."""

    async def run(self, dispatcher, tracker: Tracker, domain) -> list[dict[str, Any]]:
        if tracker.get_slot("requested_slot"):
            if _STOP.match(text(tracker)):
                return end_form(FollowupAction("utter_stopped"))
            if intent(tracker) == "human_handoff" and _PERSON.search(text(tracker)):
                return end_form(FollowupAction("action_handoff"))
            elsewhere = self.leave_for(tracker)
            if elsewhere:
                return end_form(FollowupAction(elsewhere))
        return await super().run(dispatcher, _Answers.of(tracker), domain)

    def leave_for(self, tracker: Tracker) -> Optional[str]:
        """Another action to go to instead of answering the question (none by default)."""
        return None


_SKIP = re.compile(
    r"^\s*(skip|pass|next|rather not( say)?|prefer not( to say)?|i'?d rather not|don'?t know|"
    r"not sure|no comment)\b",
    re.I,
)


def skipped(value: str) -> bool:
    return bool(_SKIP.match(value))
