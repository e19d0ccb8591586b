"""What every channel does with a patient's message before Rasa sees it.

- The checks of channels/inbound.py (slashes, size, control characters).
- A message holding a payment card number is refused and never stored: the patient is told why.
- An emergency in a conversation handed to staff (which Rasa does not answer while paused)
  is answered at once with the emergency guidance, and the ticket is flagged.
"""
from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Optional

from bot.safety.guidance import emergency_text
from bot.safety.red_flags import detect
from channels import inbound
from privacy import shared_vault

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


def has_card_number(text: str) -> bool:
    """True when the text holds 13 to 19 digits that pass the Luhn check (a payment card number)."""
    for match in _CARD_CANDIDATE.finditer(text):
        digits = [int(d) for d in re.sub(r"\D", "", match.group(0))]
        checksum = sum(digits[-1::-2]) + sum(sum(divmod(2 * d, 10)) for d in digits[-2::-2])
        if 13 <= len(digits) <= 19 and checksum % 10 == 0:
            return True
    return False


@dataclass
class Checked:
    """`text` goes on to Rasa when set; `replies` are sent to the patient first, and are
    emergency guidance when `emergency` is true (sent even to a number that opted out)."""

    text: Optional[str] = None
    replies: list[str] = field(default_factory=list)
    emergency: bool = False


def _paused_ticket(sender_id: str) -> Optional[str]:
    vault = shared_vault()
    ticket = vault.tickets.open_handoff(vault.conversations.id_for(sender_id))
    if ticket is None:
        return None
    vault.tickets.flag_emergency(ticket.id)
    return ticket.id


async def check(sender_id: str, text: object) -> Checked:
    checked = inbound.check(text)
    if checked.reply:
        return Checked(replies=[checked.reply])
    if has_card_number(checked.text):
        return Checked(replies=[CARD_REFUSED])
    flag = detect(checked.text)
    if flag and await asyncio.to_thread(_paused_ticket, sender_id):
        return Checked(text=checked.text, replies=[emergency_text(flag.guidance)], emergency=True)
    return Checked(text=checked.text)
