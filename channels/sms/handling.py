"""Each message handled in the background, once: after the sender's earlier ones, in this process
and in others (an emergency at once); with an apology when anything fails; then marked handled."""

from __future__ import annotations

import asyncio
import logging

from channels import guard
from channels.sms.answer import Answers
from channels.sms.claims import Claims
from channels.sms.message import Received
from channels.sms.ordering import SenderOrder

logger = logging.getLogger(__name__)


class Handling:
    """Takes each received message through, from `start` until it is marked handled."""

    def __init__(self, claims: Claims, answers: Answers):
        self.claims, self.answers = claims, answers
        self.order = SenderOrder()
        self._tasks: set[asyncio.Task] = set()

    def start(self, message: Received) -> None:
        """Handle the message in the background."""
        task = asyncio.ensure_future(self._handle(message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, message: Received) -> None:
        """Handle the message after the sender's earlier ones (an emergency at once, whatever
        came before); then it counts as handled."""
        if guard.screen(message.text).emergency_answer:
            return await self._handle_now(message)
        async with self.order.turn(message.sender_id):
            if self.order.answered_early(message.message_sid):  # it was answered before a later message
                return
            await self._handle_now(message, in_order=True)

    async def _handle_now(self, message: Received, in_order: bool = False) -> None:
        """Answer the message (`in_order`: after the sender's earlier ones), apologising for a
        failure, and mark it handled."""
        with self.order.answering(message.message_sid):
            try:
                if in_order:
                    await self._answer_earlier(message)
                if not (message.taken_over and await message.assistant.holds(message)):
                    await self.answers.answer(message)
            except Exception as error:  # a reply of its own for whatever failed
                logger.error("SMS from %s could not be handled (%s).", message.sender_id, type(error).__name__)
                await self.answers.apologise(message.sender_id)
        await self.claims.handled(message.message_sid)

    async def _answer_earlier(self, message: Received) -> None:
        """Answer first the sender's earlier messages still unanswered (claims.py waits for those
        another process holds and takes over those of a process that died)."""
        for earlier in await self.claims.earlier(message):
            if self.order.is_answering(earlier.message_sid):  # an emergency, being answered
                continue
            if not await earlier.assistant.holds(earlier):
                logger.warning(
                    "SMS %s from %s was still unanswered: answering it first.", earlier.message_sid, earlier.sender_id
                )
                await self.answers.answer(earlier)
                if not earlier.taken_over:  # its own turn is still to come in this process
                    self.order.note_answered_early(earlier.message_sid)
            await self.claims.handled(earlier.message_sid)
