"""Getting a text to a phone: through Twilio's REST API, or into the vault's local outbox when
no Twilio account is configured (development).

Twilio is called with the twilio library's asynchronous client, so a send never blocks the
event loop. A failed send (network error, Twilio 429 or 5xx) is retried with exponential
back-off; failures are logged with the pseudonymous sender id and the status only, never
the number or the text.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Optional, Protocol

from aiohttp import ClientError
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

import settings
from privacy import shared_vault

logger = logging.getLogger(__name__)
# The twilio library logs request headers at INFO; nothing of a request belongs in our logs.
logging.getLogger("twilio").setLevel(logging.WARNING)


class Delivery(Protocol):
    async def send(self, sender_id: str, text: str) -> bool:
        """Send one SMS to the number behind `sender_id`; True when it was accepted."""


def _retryable(error: Exception) -> bool:
    if isinstance(error, TwilioRestException):
        return error.status == 429 or error.status >= 500
    return isinstance(error, (ClientError, asyncio.TimeoutError))


def _describe(error: Exception) -> str:
    if isinstance(error, TwilioRestException):
        return f"Twilio status {error.status}, code {error.code}"
    return type(error).__name__


class TwilioDelivery:
    """Sends from `from_number` with the account's credentials, to `api_url` (Twilio's, or a stand-in)."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        api_url: str,
        attempts: int = 4,
        first_delay: float = 0.5,
        timeout: float = 10.0,
    ):
        self.account_sid, self.auth_token, self.from_number, self.api_url = (
            account_sid,
            auth_token,
            from_number,
            api_url,
        )
        self.attempts, self.first_delay, self.timeout = attempts, first_delay, timeout
        self._client: Optional[Client] = None

    def _twilio(self) -> Client:
        if self._client is None:  # created inside the event loop, which aiohttp's session needs
            client = Client(self.account_sid, self.auth_token, http_client=AsyncTwilioHttpClient(timeout=self.timeout))
            client.api.base_url = self.api_url
            self._client = client
        return self._client

    async def send(self, sender_id: str, text: str) -> bool:
        phone = await asyncio.to_thread(shared_vault().sms.phone_of, sender_id)
        if phone is None:
            logger.warning("SMS to %s not sent: no number on file (erased?).", sender_id)
            return False
        return await self.send_to(phone, text, sender_id)

    async def send_to(self, phone: str, text: str, name: str) -> bool:
        """Send to `phone`; `name` (never the number) says whom in the logs."""
        delay = self.first_delay
        for attempt in range(1, self.attempts + 1):
            try:
                await self._twilio().messages.create_async(to=phone, from_=self.from_number, body=text)
                return True
            except Exception as error:  # noqa: BLE001 - every failure is logged and maybe retried
                last = attempt == self.attempts or not _retryable(error)
                logger.log(
                    logging.ERROR if last else logging.WARNING,
                    "SMS to %s failed (attempt %d of %d): %s.",
                    name,
                    attempt,
                    self.attempts,
                    _describe(error),
                )
                if last:
                    return False
                await asyncio.sleep(delay)
                delay *= 2
        return False


class OutboxDelivery:
    """Development: the text waits, encrypted, in the vault's outbox (the README shows how to read it)."""

    async def send(self, sender_id: str, text: str) -> bool:
        return await asyncio.to_thread(self._queue, sender_id, text)

    @staticmethod
    def _queue(sender_id: str, text: str) -> bool:
        vault = shared_vault()
        phone, subject_id = vault.sms.phone_of(sender_id), vault.conversations.subject_of(sender_id)
        if phone is None or subject_id is None:
            logger.warning("SMS to %s not queued: no number on file (erased?).", sender_id)
            return False
        vault.outbox.queue(subject_id, "sms", "reply", phone, text)
        return True


async def deliver_outbox(delivery: TwilioDelivery) -> int:
    """Send the vault's queued SMS (one-time codes, confirmations); returns how many went out.
    Each is claimed first, so that two servers never send the same one; one that still fails
    after the retries is logged and left for staff (its claim stays)."""
    vault = shared_vault()
    pending = await asyncio.to_thread(vault.outbox.messages, pending_only=True)
    sent = 0
    for message in reversed(pending):  # oldest first
        if message.channel != "sms" or not await asyncio.to_thread(vault.outbox.claim, message.id):
            continue
        if await delivery.send_to(message.recipient, message.body, message.id):
            sent += 1
        else:
            logger.error("Outbox message %s was not delivered.", message.id)
    return sent


async def keep_delivering_outbox(delivery: TwilioDelivery, every: float = 2.0) -> None:
    """Send the vault's queued texts as they come: look every `every` seconds, for ever."""
    while True:
        try:
            await deliver_outbox(delivery)
        except Exception as error:  # the database may be down for a while
            logger.error("The SMS outbox could not be read (%s).", type(error).__name__)
        await asyncio.sleep(every)


def configured() -> Delivery:
    """Twilio when an account and a sending number are configured, else the local outbox."""
    if settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN and settings.TWILIO_FROM_NUMBER:
        return TwilioDelivery(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            settings.TWILIO_FROM_NUMBER,
            settings.TWILIO_API_URL,
        )
    return OutboxDelivery()
