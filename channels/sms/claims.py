"""This process's claims on the messages it answers, kept in the vault's SmsInbox.

A received message is kept (sealed) and claimed for LEASE, renewed every RENEW_SECONDS while
the process lives; a message whose lease ran out is taken over by another process. Before a
message goes to Rasa, the sender's earlier unanswered ones are claimed to be answered first.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from datetime import timedelta
from typing import AsyncIterator

from channels.sms.message import Received
from privacy import shared_vault

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=20)  # how long a process's claim on a message lasts unless renewed
RENEW_SECONDS = 5.0
EARLIER_WAIT = 2 * LEASE.total_seconds()  # how long a message waits for an earlier one held by another process


class Claims:
    """The claims of this process (`owner`) on the messages it answers."""

    def __init__(self) -> None:
        self.owner = secrets.token_hex(8)  # this process, as the claimant of the messages it handles

    def receive(self, message_sid: str, phone: str, request: str) -> tuple[str, bool]:
        """The sender id of `phone`, and whether the message is new: then it is kept, claimed by
        this process (a retried webhook is not). Blocking: run it in a thread."""
        vault = shared_vault()
        sender_id = vault.sms.sender_for(phone)
        return sender_id, vault.sms_inbox.receive(message_sid, sender_id, request, self.owner, LEASE)

    async def renewed(self) -> AsyncIterator[tuple[str, str, str]]:
        """Renew this process's claims every RENEW_SECONDS, for ever; in between, yield each
        message a stopped process left, claimed now by this one, as (message_sid, sender_id, request)."""
        inbox = shared_vault().sms_inbox
        while True:
            try:
                await asyncio.to_thread(inbox.renew, self.owner, LEASE)
                for message_sid, sender_id, request in await asyncio.to_thread(inbox.take_over, self.owner, LEASE):
                    logger.warning(
                        "SMS %s from %s was left unanswered by a stopped process: answering it.", message_sid, sender_id
                    )
                    yield message_sid, sender_id, request
            except Exception as error:  # the database may be down for a while
                logger.error("SMS claims could not be renewed (%s).", type(error).__name__)
            await asyncio.sleep(RENEW_SECONDS)

    async def earlier(self, message: Received) -> list[Received]:
        """The sender's messages before `message` still unhandled, oldest first, claimed by this
        process: waited for while another process holds one (up to EARLIER_WAIT; then none)."""
        inbox = shared_vault().sms_inbox
        deadline = time.monotonic() + EARLIER_WAIT
        while (
            earlier := await asyncio.to_thread(inbox.earlier, message.message_sid, message.sender_id, self.owner, LEASE)
        ) is None:
            if time.monotonic() > deadline:
                logger.warning(
                    "SMS %s from %s answered before an earlier one still held by another process.",
                    message.message_sid,
                    message.sender_id,
                )
                return []
            await asyncio.sleep(0.1)
        return [message.earlier(message_sid, request, taken_over) for message_sid, request, taken_over in earlier]

    @staticmethod
    async def handled(message_sid: str) -> None:
        """The message was answered: the inbox drops its request and its claim."""
        try:
            await asyncio.to_thread(shared_vault().sms_inbox.handled, message_sid)
        except Exception as error:  # it stays claimed; answered again only if this process stops
            logger.error("SMS %s could not be marked handled (%s).", message_sid, type(error).__name__)
