"""What every channel does with a patient's message before and around Rasa.

- The checks of channels/inbound.py (slashes, size, control characters).
- A message holding a payment card number is refused and never stored: the patient is told why.
- An emergency is recognised with safety/ first, before anything touches storage. One message
  gets one emergency answer: Rasa's when it can give it, the channel's own otherwise, in the
  patient's language:
  - in a conversation handed to staff (which Rasa does not answer while paused), the channel
    answers at once and the ticket is flagged for the top of the staff queue;
  - when the conversation cannot be looked up, or Rasa fails or has not answered within
    EMERGENCY_DEADLINE seconds (storage or Redis down or hanging), the channel answers, and the
    failure is logged without the patient's words; Rasa goes on saving what it can.
  Where the evidence is uncertain, Rasa asks whether someone is in danger now; the channel, which
  cannot hear the answer, gives the full emergency answer instead.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field, replace
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import OutputChannel

import safety
from bot.emergency import EMERGENCY_RESPONSE, answer_to
from channels import inbound
from privacy import shared_vault

logger = logging.getLogger(__name__)

APOLOGY = (
    "Sorry, something went wrong on our side. Please try again in a moment, "
    "or call 469-421-2618. If this is an emergency, call 911."
)
CARD_REFUSED = (
    "For your safety I didn't keep that message: it looks like it contains a payment card number. "
    "Please never send card details in a chat or text message. To pay, use the secure payment link "
    "we send, or call our billing team at 469-421-2618."
)
_CARD_CANDIDATE = re.compile(r"(?<!\d)(?:\d[ -]?){13,19}(?!\d)")
# How long Rasa, or a storage lookup, may take before the channel gives an emergency answer itself.
EMERGENCY_DEADLINE = 5.0


def has_card_number(text: str) -> bool:
    """True when the text holds 13 to 19 digits that pass the Luhn check (a payment card number)."""
    for match in _CARD_CANDIDATE.finditer(text):
        digits = [int(d) for d in re.sub(r"\D", "", match.group(0))]
        checksum = sum(digits[-1::-2]) + sum(sum(divmod(2 * d, 10)) for d in digits[-2::-2])
        if 13 <= len(digits) <= 19 and checksum % 10 == 0:
            return True
    return False


@dataclass(frozen=True)
class Checked:
    """`text` goes on to Rasa when set; `replies` are sent to the patient first. `emergency_answer`
    is the emergency answer when the message is or may be an emergency; `answered` when the channel
    has given it already (it is then among `replies`, sent even to a number that opted out)."""

    text: Optional[str] = None
    replies: tuple[str, ...] = field(default=())
    emergency_answer: Optional[str] = None
    answered: bool = False


def screen(text: object) -> Checked:
    """The checks that touch no storage: inbound, card numbers, and whether it is an emergency."""
    checked = inbound.check(text)
    if checked.reply:
        return Checked(replies=(checked.reply,))
    if has_card_number(checked.text):
        return Checked(replies=(CARD_REFUSED,))
    assessment = safety.assess(checked.text)
    if assessment.level == safety.NONE:
        return Checked(text=checked.text)
    return Checked(text=checked.text, emergency_answer=answer_to(assessment))


def answered_here(checked: Checked) -> Checked:
    """The channel gives the emergency answer itself."""
    return replace(checked, replies=(*checked.replies, checked.emergency_answer), answered=True)


def _paused_ticket(sender_id: str) -> Optional[str]:
    vault = shared_vault()
    ticket = vault.tickets.open_handoff(vault.conversations.id_for(sender_id))
    if ticket is None:
        return None
    vault.tickets.flag_emergency(ticket.id)
    return ticket.id


async def handoff(sender_id: str, checked: Checked) -> Checked:
    """For a screened message that is or may be an emergency: whether the conversation is with staff."""
    if checked.emergency_answer is None:
        return checked
    try:
        paused = await asyncio.wait_for(asyncio.to_thread(_paused_ticket, sender_id), EMERGENCY_DEADLINE)
    except Exception as error:  # storage is down or hangs: answer now, Rasa may not be able to
        logger.error(
            "The conversation of an emergency message could not be looked up (%s): answered by the channel.",
            type(error).__name__,
        )
        return answered_here(checked)
    return answered_here(checked) if paused else checked


class Watched(OutputChannel):
    """Passes Rasa's messages on to `output`, noting whether the emergency answer was among them,
    and dropping it when the channel gave it already (one message, one emergency answer)."""

    def __init__(self, output: OutputChannel, already_answered: bool):
        self.output, self.already_answered = output, already_answered
        self.emergency_sent = self.anything_sent = False

    def name(self) -> str:  # Rasa picks channel-specific responses by the output channel's name
        return self.output.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        if message.get("utter_action") == EMERGENCY_RESPONSE:
            if self.already_answered:
                return
            self.emergency_sent = True
        self.anything_sent = True
        await self.output.send_response(recipient_id, message)


async def _emergency(output: OutputChannel, recipient_id: str, text: str) -> None:
    await output.send_response(recipient_id, {"text": text, "utter_action": EMERGENCY_RESPONSE})


async def deliver(
    checked: Checked, recipient_id: str, output: OutputChannel, handle: Callable[[OutputChannel], Awaitable[Any]]
) -> bool:
    """Send the replies, then let Rasa `handle` the message through `output`. Whatever fails, an
    emergency gets its answer once, at the latest after EMERGENCY_DEADLINE seconds (Rasa then goes on
    in the background), and anything else the apology (then False)."""
    for reply in checked.replies:
        if reply == checked.emergency_answer:
            await _emergency(output, recipient_id, reply)
        else:
            await output.send_response(recipient_id, {"text": reply})
    if checked.text is None:
        return True
    watched = Watched(output, checked.answered)
    handling = asyncio.ensure_future(handle(watched))
    if checked.emergency_answer and not checked.answered:
        await asyncio.wait({handling}, timeout=EMERGENCY_DEADLINE)
        if not handling.done():  # Rasa goes on in the background; the patient is answered now
            handling.add_done_callback(_log_failure)
            if not watched.anything_sent:
                logger.error(
                    "An emergency message got no answer within %.0f s: answered by the channel.", EMERGENCY_DEADLINE
                )
                watched.already_answered = True
                await _emergency(output, recipient_id, checked.emergency_answer)
            return True
    try:
        await handling
        return True
    except Exception:  # the patient gets an answer whatever failed
        _log_failure(handling)
        if checked.emergency_answer is None:
            await output.send_response(recipient_id, {"text": APOLOGY})
            return False
        if not (watched.already_answered or watched.emergency_sent):
            await _emergency(output, recipient_id, checked.emergency_answer)
        return True


def _log_failure(handling: asyncio.Future) -> None:
    error = None if handling.cancelled() else handling.exception()
    if error is not None:
        logger.error("A message could not be handled (%s).", type(error).__name__)
