"""What one message gets: a picture or an empty message a polite text answer, a keyword its
carrier answer; "2" is read as the second button of the last answer; the rest passes the
rate limit and channels/guard.py on its way to Rasa."""

from __future__ import annotations

import logging
from dataclasses import replace

from rasa.core.channels.channel import UserMessage

from channels import choices, guard
from channels.rate_limit import RateLimiter
from channels.sms import keywords
from channels.sms.message import Received
from channels.sms.output import SmsOutput

logger = logging.getLogger(__name__)

PICTURE_ONLY = (
    "I can only read text, not pictures: please type your question. Please don't send photos of "
    "documents or of your body by text. Emergencies: call 911."
)
PICTURE_IGNORED = "(I can't see pictures, only your words.)"


class Answers:
    """Answers messages through `output`, within the senders' rate limits."""

    def __init__(self, output: SmsOutput, limiter: RateLimiter):
        self.output, self.limiter = output, limiter

    async def answer(self, message: Received) -> None:
        sender_id, output = message.sender_id, self.output
        text, pictures = message.text, message.pictures
        if pictures and not text.strip():
            return await output.send(sender_id, PICTURE_ONLY)
        if await keywords.act(output, sender_id, text):
            return
        if text.strip().rstrip(".)").isdigit():  # a numbered choice, read as the button it names
            text = choices.chosen_payload(text, await message.assistant.last_buttons(sender_id)) or text
        screened = guard.screen(text)
        refused = await self.limiter.refuse(sender_id, emergency=screened.emergency_answer is not None)
        if refused is not None:
            await output.send(sender_id, refused)
            logger.warning("SMS from %s over the rate limit: not handled.", sender_id)
            return
        checked = await guard.handoff(sender_id, screened)
        if pictures and checked.text is not None:
            checked = replace(checked, replies=(*checked.replies, PICTURE_IGNORED))
        await guard.deliver(
            checked,
            sender_id,
            output,
            lambda watched: message.assistant.on_new_message(
                UserMessage(
                    checked.text, watched, sender_id, input_channel=output.name(), message_id=message.message_sid
                )
            ),
        )

    async def apologise(self, sender_id: str) -> None:
        """For a message whose handling failed."""
        await self.output.send(sender_id, guard.APOLOGY)
