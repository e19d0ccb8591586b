"""The REST channel (/webhooks/rest/webhook) with the checks every channel applies.

It replaces Rasa's RestInput: the same request and answer format
({"sender": ..., "message": ...} in, a list of bot messages out), but the message
is checked first (channels/guard.py), a malformed request gets a clear 400,
and a failure while handling it gets an apology instead of an empty answer (an
emergency its emergency answer), with nothing the patient wrote in the logs.

Only clients holding REST_CLIENT_TOKEN are served (the terminal chat, the tests, the
benchmarks send "Authorization: Bearer <token>"); a sender id in another channel's namespace
(an SMS number's or a widget session's) is refused, so that no one speaks in their
conversations; and each sender and each client address has a rate limit (HTTP 429 over it;
an emergency always passes).

A client may name its message ({"message_id": "<1-64 letters, digits, _ or ->"}) so
that it can send it again after a failure without it being handled twice: a message
already in the conversation is not handled again, and the answer is the replies it got.
"""

from __future__ import annotations

import hmac
import logging
import re
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

import settings
from channels import guard
from channels.handled import replies_to
from channels.rate_limit import SLOW_DOWN, RateLimiter, client_address, rate_limiter
from channels.widget_sessions import SESSION_PREFIX
from privacy.messaging.senders import PREFIX as SMS_PREFIX

logger = logging.getLogger(__name__)

SENDER_ID = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
USAGE = (
    'Send JSON {"sender": "<1-128 letters, digits or _.:@->", "message": "<text>"}, '
    'optionally with "message_id": "<1-64 letters, digits, _ or ->".'
)
UNAUTHORIZED = 'Send the REST channel\'s client token as "Authorization: Bearer <REST_CLIENT_TOKEN>".'
OTHER_CHANNEL = f"Sender ids starting with {SMS_PREFIX} or {SESSION_PREFIX} belong to other channels; choose another."


def authorized(request: Request) -> bool:
    """True when the request carries the client token (never when no token is configured)."""
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    expected = settings.REST_CLIENT_TOKEN
    return bool(expected) and scheme.lower() == "bearer" and hmac.compare_digest(token.encode(), expected.encode())


class RestChannel(InputChannel):
    """Synchronous REST channel: one request, all the bot's replies."""

    def __init__(self, senders: RateLimiter | None = None, addresses: RateLimiter | None = None):
        self.senders = senders or rate_limiter(settings.REST_RATE_LIMIT_BURST, settings.REST_RATE_LIMIT_PER_MINUTE)
        self.addresses = addresses or rate_limiter(
            settings.ADDRESS_RATE_LIMIT_BURST, settings.ADDRESS_RATE_LIMIT_PER_MINUTE
        )

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("healthtigo_rest", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not authorized(request):
                return response.json({"error": UNAUTHORIZED}, status=401)
            try:
                body = request.json
            except Exception:  # sanic raises on a body that is not JSON
                body = None
            sender = body.get("sender") if isinstance(body, dict) else None
            message_id = body.get("message_id") if isinstance(body, dict) else None
            if (
                not isinstance(sender, str)
                or not SENDER_ID.match(sender)
                or not (message_id is None or isinstance(message_id, str) and MESSAGE_ID.match(message_id))
            ):
                return response.json({"error": USAGE}, status=400)
            if sender.startswith((SMS_PREFIX, SESSION_PREFIX)):
                return response.json({"error": OTHER_CHANNEL}, status=400)
            collector = CollectingOutputChannel()
            screened = guard.screen(body.get("message"))
            if await self._over_limit(request, sender, emergency=screened.emergency_answer is not None):
                return response.json([{"recipient_id": sender, "text": SLOW_DOWN}], status=429)
            if message_id and screened.text is not None:
                try:
                    handled = await replies_to(request.app.ctx.agent, sender, message_id)
                except Exception as error:  # storage is down; an emergency is still answered below
                    logger.error("REST message %s could not be looked up (%s).", message_id, type(error).__name__)
                    handled = None
                if handled is not None:
                    return response.json(handled)
            checked = await guard.handoff(sender, screened)
            answered = await guard.deliver(
                checked,
                sender,
                collector,
                lambda output: on_new_message(
                    UserMessage(checked.text, output, sender, input_channel=self.name(), message_id=message_id)
                ),
            )
            # After a failure, the apology alone: not a part of an answer that was not saved.
            return response.json(collector.messages if answered else collector.messages[-1:])

        return webhook

    async def _over_limit(self, request: Request, sender: str, emergency: bool) -> bool:
        """True when the client address or the sender is over its rate limit (an emergency never is)."""
        address = client_address(request)
        refused = await self.addresses.refuse(f"rest-address:{address}", emergency) is not None
        if not refused:
            refused = await self.senders.refuse(f"rest:{sender}", emergency) is not None
        if refused:
            logger.warning("REST message over the rate limit: not handled.")
        return refused
