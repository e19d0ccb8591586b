"""The SMS channel's webhook (/webhooks/sms/webhook): Twilio's signature checked, the message kept
and claimed (claims.py), Twilio answered at once in TwiML; the message is handled in the background
(handling.py)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

import settings
from channels import guard
from channels.rate_limit import RateLimiter, rate_limiter
from channels.sms.answer import Answers
from channels.sms.claims import Claims
from channels.sms.delivery import Delivery, TwilioDelivery, configured, keep_delivering_outbox
from channels.sms.handling import Handling
from channels.sms.message import Assistant, Form, OnNewMessage, Received
from channels.sms.output import SmsOutput
from channels.sms.text import segments

logger = logging.getLogger(__name__)

UNAVAILABLE = (
    "Sorry, we can't take messages right now. Please try again in a few minutes or call "
    "(469) 421-2618. If this is an emergency, call 911."
)


def signed(request: Request, form: Form) -> bool:
    """Whether Twilio signed the request, for the public URL (SMS_WEBHOOK_URL) and every field."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not settings.TWILIO_AUTH_TOKEN or not signature:
        return False
    url = settings.SMS_WEBHOOK_URL + (f"?{request.query_string}" if request.query_string else "")
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, form, signature)


def twiml(*messages: str) -> HTTPResponse:
    """Twilio's answer: the texts it is to send back, if any."""
    reply = MessagingResponse()
    for message in messages:
        reply.message(message)
    return response.text(str(reply), content_type="text/xml")


class SmsChannel(InputChannel):
    """Twilio's webhook, and the background work of the messages it receives."""

    def __init__(self, delivery: Optional[Delivery] = None, limiter: Optional[RateLimiter] = None):
        self.delivery = delivery or configured()
        self.claims = Claims()
        self.handling = Handling(self.claims, Answers(SmsOutput(self.delivery), limiter or rate_limiter()))

    @classmethod
    def name(cls) -> str:
        return "sms"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> "SmsChannel":
        return cls()

    def get_output_channel(self) -> OutputChannel:
        return SmsOutput(self.delivery)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint("healthtigo_sms", __name__)

        @webhook.listener("after_server_start")
        async def start_loops(app: Any, _loop: Any) -> None:
            if isinstance(self.delivery, TwilioDelivery):
                app.add_task(keep_delivering_outbox(self.delivery))
            app.add_task(self._take_over(app, on_new_message))

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            raw = (request.body or b"").decode("utf-8", errors="replace")
            form = Form.parse(raw)
            if not signed(request, form):
                logger.warning("SMS webhook request refused: missing or wrong signature.")
                return response.text("Forbidden", status=403)
            message_sid, phone = form.first("MessageSid"), form.first("From")
            if not message_sid or not phone:
                return response.text("MessageSid and From are required.", status=400)
            emergency = guard.screen(form.first("Body")).emergency_answer  # before anything touches storage
            try:
                sender_id, new = await asyncio.wait_for(
                    asyncio.to_thread(self.claims.receive, message_sid, phone, raw),
                    guard.EMERGENCY_DEADLINE if emergency else None,
                )
            except Exception as error:  # the database is down: tell the patient, Twilio delivers it
                logger.error("SMS %s could not be registered (%s).", message_sid, type(error).__name__)
                return twiml(*segments(emergency)) if emergency else twiml(UNAVAILABLE)
            if not new:
                logger.info("SMS %s from %s was already handled.", message_sid, sender_id)
                return twiml()
            self.handling.start(
                Received(message_sid, sender_id, form, Assistant(request.app.ctx.agent, on_new_message))
            )
            return twiml()

        return webhook

    async def _take_over(self, app: Any, on_new_message: OnNewMessage) -> None:
        """Keep this process's claims, and answer the messages a stopped process left."""
        async for message_sid, sender_id, request in self.claims.renewed():
            assistant = Assistant(app.ctx.agent, on_new_message)
            self.handling.start(Received(message_sid, sender_id, Form.parse(request), assistant, taken_over=True))
