"""The SMS channel (Twilio): /webhooks/sms/webhook.

Unlike Rasa's twilio channel:
- every request must carry a valid X-Twilio-Signature, computed by the twilio library's
  RequestValidator over the configured public URL (SMS_WEBHOOK_URL, which behind a proxy
  differs from the URL Rasa sees) and the raw form body, blank parameters included;
  anything else gets 403 and never reaches the bot;
- a MessageSid is handled once, however often Twilio retries it;
- Twilio gets its answer at once and the message is handled in the background, one at a
  time per sender in the order received, across processes too: a message waits for the
  sender's earlier ones that another process is answering (an emergency does not wait);
  replies go out through channels/sms_delivery.py;
- a message is kept in the vault (sealed) until it is answered, claimed by this process for a
  lease it renews every few seconds: when a process dies with messages unanswered, another
  one takes them over once the lease runs out (one that reached Rasa is not handled twice);
- a picture or an empty message gets a polite text answer; STOP / START / HELP update the
  sms consent in the vault and answer as carriers expect; after STOP nothing is sent but
  emergency guidance;
- buttons become numbered choices ("2" picks the second); long replies are split into
  single-segment parts between words;
- the sender id Rasa, the logs and the tracker see is the vault's pseudonym of the number;
- with a Twilio account configured, the texts the vault queues (one-time codes,
  confirmations) are sent as they come.
Health questions are not asked by SMS: the intake sends the patient to the web chat.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, Awaitable, Callable, Optional
from urllib.parse import parse_qsl

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

import settings
from bot.emergency import EMERGENCY_RESPONSE
from channels import choices, guard, sms_text
from channels.handled import replies_to
from channels.rate_limit import RateLimiter, rate_limiter
from channels.sms_delivery import Delivery, TwilioDelivery, configured, deliver_outbox
from privacy import shared_vault

logger = logging.getLogger(__name__)

STOPPED = (
    "Healthtigo: you're unsubscribed and will get no more texts from us. Reply START to text with us "
    "again. Emergencies: call 911."
)
STARTED = "Healthtigo: you can text with us again. Reply HELP for help, STOP to unsubscribe."
HELP = (
    "Healthtigo assistant: appointments and support. Help: (469) 421-2618 or support@healthtigo.com. "
    "Msg&data rates may apply. Reply STOP to opt out. Emergency: 911"
)
PICTURE_ONLY = (
    "I can only read text, not pictures: please type your question. Please don't send photos of "
    "documents or of your body by text. Emergencies: call 911."
)
PICTURE_IGNORED = "(I can't see pictures, only your words.)"
LEASE = timedelta(seconds=20)  # how long a process's claim on a message lasts unless renewed
RENEW_SECONDS = 5.0
EARLIER_WAIT = 2 * LEASE.total_seconds()  # how long a message waits for an earlier one held by another process
UNAVAILABLE = (
    "Sorry, we can't take messages right now. Please try again in a few minutes or call "
    "(469) 421-2618. If this is an emergency, call 911."
)


class _Form(dict):
    """Form fields as Twilio sent them (name -> every value), as RequestValidator reads them."""

    @classmethod
    def parse(cls, body: bytes) -> "_Form":
        form = cls()
        text = body.decode("utf-8", errors="replace")
        for name, value in parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace"):
            form.setdefault(name, []).append(value)
        return form

    def getall(self, name: str) -> list[str]:
        return self[name]

    def first(self, name: str) -> str:
        return self.get(name, [""])[0]


@dataclass
class _Queue:
    """A sender's messages waiting to be handled, one at a time, in order."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0


def _twiml(*messages: str) -> HTTPResponse:
    reply = MessagingResponse()
    for message in messages:
        reply.message(message)
    return response.text(str(reply), content_type="text/xml")


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
        for part in sms_text.segments(text):
            await self.delivery.send(recipient_id, part)


async def _last_buttons(agent: Any, sender_id: str) -> list[dict[str, Any]]:
    """The buttons of the bot's last answer, to read a numbered reply."""
    tracker = await agent.tracker_store.retrieve(sender_id)
    for event in reversed(tracker.events if tracker else []):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered) and event.data.get("buttons"):
            return event.data["buttons"]
    return []


class SmsChannel(InputChannel):
    def __init__(self, delivery: Optional[Delivery] = None, limiter: Optional[RateLimiter] = None):
        self.delivery = delivery or configured()
        self.limiter = limiter or rate_limiter()
        self._tasks: set[asyncio.Task] = set()
        self._senders: dict[str, _Queue] = {}
        self._answering: set[str] = set()  # the messages this process is answering now
        self._answered_early: set[str] = set()  # this process's messages answered before their turn came
        self.owner = secrets.token_hex(8)  # this process, as the claimant of the messages it handles

    @classmethod
    def name(cls) -> str:
        return "sms"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> "SmsChannel":
        return cls()

    def get_output_channel(self) -> OutputChannel:
        return SmsOutput(self.delivery)

    def signed(self, request: Request, form: _Form) -> bool:
        signature = request.headers.get("X-Twilio-Signature", "")
        if not settings.TWILIO_AUTH_TOKEN or not signature:
            return False
        url = settings.SMS_WEBHOOK_URL + (f"?{request.query_string}" if request.query_string else "")
        return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, form, signature)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("healthtigo_sms", __name__)

        @webhook.listener("after_server_start")
        async def start_loops(app: Any, _loop: Any) -> None:
            if isinstance(self.delivery, TwilioDelivery):
                app.add_task(self._outbox_loop())
            app.add_task(self._claims_loop(app, on_new_message))

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            form = _Form.parse(request.body or b"")
            if not self.signed(request, form):
                logger.warning("SMS webhook request refused: missing or wrong signature.")
                return response.text("Forbidden", status=403)
            message_sid, phone = form.first("MessageSid"), form.first("From")
            if not message_sid or not phone:
                return response.text("MessageSid and From are required.", status=400)
            emergency = guard.screen(form.first("Body")).emergency_answer  # before anything touches storage
            try:
                sender_id, new = await asyncio.wait_for(
                    asyncio.to_thread(
                        self._register, message_sid, phone, (request.body or b"").decode("utf-8", errors="replace")
                    ),
                    guard.EMERGENCY_DEADLINE if emergency else None,
                )
            except Exception as error:  # the database is down: tell the patient, Twilio delivers it
                logger.error("SMS %s could not be registered (%s).", message_sid, type(error).__name__)
                return _twiml(*sms_text.segments(emergency)) if emergency else _twiml(UNAVAILABLE)
            if not new:
                logger.info("SMS %s from %s was already handled.", message_sid, sender_id)
                return _twiml()
            self._start(self._handle(request.app.ctx.agent, on_new_message, sender_id, message_sid, form))
            return _twiml()

        return webhook

    async def _outbox_loop(self, every: float = 2.0) -> None:
        """Send the vault's queued texts (codes, confirmations) as they come."""
        while True:
            try:
                await deliver_outbox(self.delivery)
            except Exception as error:  # the database may be down for a while
                logger.error("The SMS outbox could not be read (%s).", type(error).__name__)
            await asyncio.sleep(every)

    async def _claims_loop(self, app: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Renew this process's claims; take over the messages of a process that died."""
        inbox = shared_vault().sms_inbox
        while True:
            try:
                await asyncio.to_thread(inbox.renew, self.owner, LEASE)
                for message_sid, sender_id, raw in await asyncio.to_thread(inbox.take_over, self.owner, LEASE):
                    logger.warning(
                        "SMS %s from %s was left unanswered by a stopped process: answering it.", message_sid, sender_id
                    )
                    self._start(
                        self._handle(
                            app.ctx.agent,
                            on_new_message,
                            sender_id,
                            message_sid,
                            _Form.parse(raw.encode()),
                            retried=True,
                        )
                    )
            except Exception as error:  # the database may be down for a while
                logger.error("SMS claims could not be renewed (%s).", type(error).__name__)
            await asyncio.sleep(RENEW_SECONDS)

    def _start(self, handling: Awaitable[None]) -> None:
        task = asyncio.ensure_future(handling)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _register(self, message_sid: str, phone: str, raw: str) -> tuple[str, bool]:
        vault = shared_vault()
        sender_id = vault.sms.sender_for(phone)
        return sender_id, vault.sms_inbox.receive(message_sid, sender_id, raw, self.owner, LEASE)

    async def _handle(
        self,
        agent: Any,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender_id: str,
        message_sid: str,
        form: _Form,
        retried: bool = False,
    ) -> None:
        """Handle one message after the sender's earlier ones (an emergency at once, whatever
        came before); then it counts as handled."""
        if guard.screen(form.first("Body")).emergency_answer:
            return await self._handle_now(agent, on_new_message, sender_id, message_sid, form, retried)
        queue = self._senders.setdefault(sender_id, _Queue())
        queue.waiting += 1
        try:
            async with queue.lock:
                if message_sid in self._answered_early:  # it was answered before a later message
                    self._answered_early.discard(message_sid)
                    return
                await self._handle_now(agent, on_new_message, sender_id, message_sid, form, retried, in_order=True)
        finally:
            queue.waiting -= 1
            if queue.waiting == 0:
                del self._senders[sender_id]

    async def _handle_now(
        self,
        agent: Any,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender_id: str,
        message_sid: str,
        form: _Form,
        retried: bool,
        in_order: bool = False,
    ) -> None:
        """Answer the message (`in_order`: after the sender's earlier ones), apologising for a
        failure, and mark it handled."""
        self._answering.add(message_sid)
        try:
            if in_order:
                await self._answer_earlier(agent, on_new_message, sender_id, message_sid)
            if not (retried and await replies_to(agent, sender_id, message_sid) is not None):
                await self._answer(agent, on_new_message, sender_id, message_sid, form)
        except Exception as error:  # a reply of its own for whatever failed
            logger.error("SMS from %s could not be handled (%s).", sender_id, type(error).__name__)
            await self.get_output_channel().send(sender_id, guard.APOLOGY)
        finally:
            self._answering.discard(message_sid)
        await self._mark_handled(message_sid)

    @staticmethod
    async def _mark_handled(message_sid: str) -> None:
        try:
            await asyncio.to_thread(shared_vault().sms_inbox.handled, message_sid)
        except Exception as error:  # it stays claimed; answered again only if this process stops
            logger.error("SMS %s could not be marked handled (%s).", message_sid, type(error).__name__)

    async def _answer_earlier(
        self, agent: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]], sender_id: str, message_sid: str
    ) -> None:
        """Answer first the sender's earlier messages still unanswered: wait while another process
        handles one (up to EARLIER_WAIT), take over those of a process that died."""
        inbox = shared_vault().sms_inbox
        deadline = time.monotonic() + EARLIER_WAIT
        while (earlier := await asyncio.to_thread(inbox.earlier, message_sid, sender_id, self.owner, LEASE)) is None:
            if time.monotonic() > deadline:
                logger.warning(
                    "SMS %s from %s answered before an earlier one still held by another process.",
                    message_sid,
                    sender_id,
                )
                return
            await asyncio.sleep(0.1)
        for earlier_sid, raw, taken_over in earlier:
            if earlier_sid in self._answering:  # an emergency, being answered
                continue
            if await replies_to(agent, sender_id, earlier_sid) is None:
                logger.warning("SMS %s from %s was still unanswered: answering it first.", earlier_sid, sender_id)
                await self._answer(agent, on_new_message, sender_id, earlier_sid, _Form.parse(raw.encode()))
                if not taken_over:  # its own turn is still to come in this process
                    self._answered_early.add(earlier_sid)
            await self._mark_handled(earlier_sid)

    async def _answer(
        self,
        agent: Any,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender_id: str,
        message_sid: str,
        form: _Form,
    ) -> None:
        output = SmsOutput(self.delivery)
        text, pictures = form.first("Body"), form.first("NumMedia") not in ("", "0")
        if pictures and not text.strip():
            return await output.send(sender_id, PICTURE_ONLY)
        if await self._keyword(output, sender_id, text):
            return
        if text.strip().rstrip(".)").isdigit():  # a numbered choice, read as the button it names
            text = choices.chosen_payload(text, await _last_buttons(agent, sender_id)) or text
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
            lambda watched: on_new_message(
                UserMessage(checked.text, watched, sender_id, input_channel=self.name(), message_id=message_sid)
            ),
        )

    async def _keyword(self, output: SmsOutput, sender_id: str, text: str) -> bool:
        """STOP, START or HELP: act and answer; True when the message was one."""
        word = sms_text.keyword(text)
        sms = shared_vault().sms
        if word == "start" and text.strip().lower().startswith("yes"):
            word = "start" if await asyncio.to_thread(sms.opted_out, sender_id) else None
        if word == "stop":
            await asyncio.to_thread(sms.stop, sender_id, STOPPED)
            await output.send(sender_id, STOPPED, always=True)
        elif word == "start":
            await asyncio.to_thread(sms.start, sender_id, STARTED)
            await output.send(sender_id, STARTED, always=True)
        elif word == "help":
            await output.send(sender_id, HELP, always=True)
        return word is not None
