"""The SMS channel's output channel: what Rasa's replies become on a phone."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa.core.channels.channel import OutputChannel

from bot.emergency import EMERGENCY_RESPONSE
from channels import choices
from channels.sms.delivery import Delivery
from channels.sms.text import segments
from privacy import shared_vault

logger = logging.getLogger(__name__)


class SmsOutput(OutputChannel):
    """Replies to a number: numbered choices, single-segment parts, nothing after STOP but emergencies."""

    def __init__(self, delivery: Delivery):
        self.delivery = delivery

    @classmethod
    def name(cls) -> str:
        return "sms"

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        text = choices.render(message.get("text") or "", message.get("buttons") or [])
        await self.send(recipient_id, text, always=message.get("utter_action") == EMERGENCY_RESPONSE)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send(recipient_id, text)

    async def send(self, recipient_id: str, text: str, always: bool = False) -> None:
        """Send `text` in parts; unless `always`, not to a number that opted out."""
        if not text.strip():
            return
        if not always and await asyncio.to_thread(shared_vault().sms.opted_out, recipient_id):
            logger.info("SMS to %s not sent: the number opted out.", recipient_id)
            return
        for part in segments(text):
            await self.delivery.send(recipient_id, part)
