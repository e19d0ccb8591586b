"""The web chat widget's channel: Socket.IO at /socket.io, the widget's files and a demo page
at /webhooks/widget/.

Unlike Rasa's socketio channel:
- only the origins of CORS_ORIGINS may connect (never "*");
- a browser's conversation is bound to a session token (channels/widget_sessions.py): a
  session is resumed only with its token, which expires after 30 idle minutes or 24 hours
  and no longer works once the chat was ended; messages go to the session the socket proved,
  never to one a message names, and replies go only to the sockets of that session (a room
  that is really joined: Rasa 3.6 forgets to await it);
- a resumed session gets back the messages of its live Rasa session (`history`), so a reload
  keeps them, and nothing older;
- each session is rate limited, and so are new sessions per client address; every message
  passes the checks of channels/guard.py;
- with REDIS_URL set (several replicas), what one replica emits to a session reaches its
  sockets on any replica (python-socketio's Redis manager): a staff reply sent through
  one replica reaches the patient connected to another.

Events (client -> server): session_request {session_id?, token?}, user_uttered {message},
session_end {}.
(server -> client): session_confirm {session_id, token, resumed}, history {messages},
bot_uttered {text, buttons?, emergency?, timestamp}, session_token {token} (renewed after each
message), turn_done {}, session_ended {}, session_refused {text}.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint
from rasa.shared.core.events import BotUttered, SessionStarted, UserUttered
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

import settings
from bot.emergency import EMERGENCY_RESPONSE
from channels import guard
from channels.rate_limit import SLOW_DOWN, RateLimiter, client_address, rate_limiter
from channels.widget_sessions import ended_sessions, issued_at, new_session_id, session_token

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "widget" / "static"
POLICY = settings.PROJECT_ROOT / "docs" / "data-policy.txt"


def bot_message(message: dict[str, Any]) -> dict[str, Any]:
    """What the widget is sent of a bot message."""
    sent: dict[str, Any] = {"text": message.get("text") or "", "timestamp": message.get("timestamp") or time.time()}
    buttons = message.get("buttons") or message.get("quick_replies") or []
    if buttons:
        sent["buttons"] = [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))} for b in buttons]
    if message.get("utter_action") == EMERGENCY_RESPONSE:
        sent["emergency"] = True
    return sent


class WidgetOutput(OutputChannel):
    """Sends to every socket of a session (its room)."""

    def __init__(self, sio: AsyncServer):
        self.sio = sio

    @classmethod
    def name(cls) -> str:
        return "widget"

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        sent = bot_message(message)
        if sent["text"] or sent.get("buttons"):
            await self.sio.emit("bot_uttered", sent, room=recipient_id)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


class WidgetChannel(InputChannel):
    def __init__(self, limiter: Optional[RateLimiter] = None, new_sessions: Optional[RateLimiter] = None):
        if not settings.WIDGET_SECRET:
            raise ValueError("WIDGET_SECRET is not set: run `make run`, which writes .env, or set it.")
        if "*" in settings.CORS_ORIGINS:
            raise ValueError('CORS_ORIGINS must list the allowed origins; "*" is refused.')
        manager = (
            AsyncRedisManager(
                settings.REDIS_URL,
                channel=f"{settings.REDIS_KEY_PREFIX}-widget",
                redis_options={"password": settings.REDIS_PASSWORD},
            )
            if settings.REDIS_URL
            else None
        )
        self.sio = AsyncServer(async_mode="sanic", cors_allowed_origins=settings.CORS_ORIGINS, client_manager=manager)
        self.limiter = limiter or rate_limiter()
        self.new_sessions = new_sessions or rate_limiter(
            settings.ADDRESS_RATE_LIMIT_BURST, settings.ADDRESS_RATE_LIMIT_PER_MINUTE
        )
        self.ended = ended_sessions()
        self.app: Optional[Sanic] = None

    @classmethod
    def name(cls) -> str:
        return "widget"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[str, Any]]) -> "WidgetChannel":
        return cls()

    def get_output_channel(self) -> OutputChannel:
        return WidgetOutput(self.sio)

    async def history(self, sender_id: str) -> list[dict[str, Any]]:
        """The messages of the conversation's live Rasa session, as the widget shows them."""
        tracker = await self.app.ctx.agent.tracker_store.retrieve(sender_id) if self.app else None
        events = list(tracker.events) if tracker else []
        starts = [index for index, event in enumerate(events) if isinstance(event, SessionStarted)]
        said = []
        for event in events[starts[-1] + 1 :] if starts else events:
            if isinstance(event, UserUttered) and event.text:
                said.append({"sender": "user", "text": event.text, "timestamp": event.timestamp})
            elif isinstance(event, BotUttered) and (event.text or event.data.get("buttons")):
                said.append({"sender": "bot", **bot_message(event.message())})
        return said

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = self.sio
        pages = SocketBlueprint(sio, "/socket.io", "healthtigo_widget", __name__)
        pages.static("/static", str(STATIC), name="widget_static")

        @pages.listener("after_server_start")
        async def remember_app(app: Sanic, _loop: Any) -> None:
            self.app = app

        @pages.route("/", methods=["GET"])
        async def demo(_: Request) -> HTTPResponse:
            return await response.file(STATIC / "demo.html")

        @pages.route("/policy", methods=["GET"])
        async def policy(_: Request) -> HTTPResponse:
            return await response.file(POLICY, mime_type="text/plain; charset=utf-8")

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            resumed = await self._resumable(data)
            if resumed is None and not await self._may_open_session(sid):
                await sio.emit("session_refused", {"text": SLOW_DOWN}, to=sid)
                return
            session_id, issued = resumed or (new_session_id(), int(time.time()))
            await self._join(sid, session_id, issued, resumed is not None)
            if resumed:
                await sio.emit("history", {"messages": await self.history(session_id)}, to=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: Any) -> None:
            session = await sio.get_session(sid)
            sender_id = session.get("sender")
            if sender_id is None:  # no session_request yet: nothing to answer to
                return
            if await self.ended.ended(sender_id):  # ended in another tab: the message opens a new chat
                sender_id = new_session_id()
                session = await self._join(sid, sender_id, int(time.time()), False)
            try:
                await self._answer(on_new_message, sender_id, data.get("message") if isinstance(data, dict) else None)
            finally:
                await sio.emit("session_token", {"token": session_token(sender_id, session["issued"])}, to=sid)
                await sio.emit("turn_done", {}, room=sender_id)

        @sio.on("session_end")
        async def session_end(sid: str, _data: Any = None) -> None:
            sender_id = (await sio.get_session(sid)).get("sender")
            if sender_id:
                await self.ended.end(sender_id)
                await sio.emit("session_ended", {}, room=sender_id)
                await sio.close_room(sender_id)
            await sio.save_session(sid, {})

        return pages

    async def _resumable(self, data: Any) -> Optional[tuple[str, int]]:
        """The session the request proves it holds, and when it began; None for a new session."""
        if not isinstance(data, dict):
            return None
        issued = issued_at(data.get("session_id"), data.get("token"))
        if issued is None or await self.ended.ended(data["session_id"]):
            return None
        return data["session_id"], issued

    async def _may_open_session(self, sid: str) -> bool:
        """Whether the socket's client address may open one more session now."""
        environ = self.sio.get_environ(sid) or {}
        request = environ.get("sanic.request")
        address = client_address(request) if request else "unknown"
        if await self.new_sessions.refuse(f"widget-address:{address}", emergency=False) is None:
            return True
        logger.warning("New widget session refused: over the client address's limit.")
        return False

    async def _join(self, sid: str, session_id: str, issued: int, resumed: bool) -> dict[str, Any]:
        """Bind the socket to the session and tell the browser; returns the socket's session."""
        session = {"sender": session_id, "issued": issued}
        await self.sio.save_session(sid, session)
        await self.sio.enter_room(sid, session_id)
        await self.sio.emit(
            "session_confirm",
            {"session_id": session_id, "token": session_token(session_id, issued), "resumed": resumed},
            to=sid,
        )
        return session

    async def _answer(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], sender_id: str, text: Any) -> None:
        output = WidgetOutput(self.sio)
        screened = guard.screen(text)
        refused = await self.limiter.refuse(sender_id, emergency=screened.emergency_answer is not None)
        if refused is not None:
            await output.send_text_message(sender_id, refused)
            logger.warning("Widget session %s over the rate limit: message not handled.", sender_id)
            return
        checked = await guard.handoff(sender_id, screened)
        await guard.deliver(
            checked,
            sender_id,
            output,
            lambda watched: on_new_message(UserMessage(checked.text, watched, sender_id, input_channel=self.name())),
        )
