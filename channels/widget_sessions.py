"""Widget sessions: the token that binds a browser to its conversation, how long it lasts, and
how it ends.

A token is "<issued>.<renewed>.<HMAC under WIDGET_SECRET of the session id and both times>".
It is renewed with every message; it no longer resumes its session once IDLE seconds have passed
since it was renewed, or LIFETIME seconds since the session began, or once the session was ended
("End chat" in the widget, or the page's logout calling `HealthtigoWidget.endChat()`). Ended
sessions are remembered in Redis when REDIS_URL is set (every replica refuses them), else in the
process, for LIFETIME: after that their tokens have expired anyway.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import time
from typing import Any, Callable, Optional

import settings

logger = logging.getLogger(__name__)

SESSION_PREFIX = "web_"  # a widget session's sender id; no other channel may use it
SESSION_ID = re.compile(rf"^{SESSION_PREFIX}[A-Za-z0-9_-]{{24}}$")
IDLE = 30 * 60  # as Rasa's session_expiration_time (bot/domain/core.yml)
LIFETIME = 24 * 3600


def new_session_id() -> str:
    return f"{SESSION_PREFIX}{secrets.token_urlsafe(18)}"


def _mac(session_id: str, issued: int, renewed: int) -> str:
    message = f"{session_id}.{issued}.{renewed}".encode()
    digest = hmac.new(settings.WIDGET_SECRET.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def session_token(session_id: str, issued: int, now: Optional[float] = None) -> str:
    """A token for `session_id`, begun at `issued`, renewed now."""
    renewed = int(time.time() if now is None else now)
    return f"{issued}.{renewed}.{_mac(session_id, issued, renewed)}"


def issued_at(session_id: Any, token: Any, now: Optional[float] = None) -> Optional[int]:
    """When the session began, if `token` proves `session_id` and has not expired; else None."""
    if not isinstance(session_id, str) or not isinstance(token, str) or not SESSION_ID.match(session_id):
        return None
    issued, _, rest = token.partition(".")
    renewed, _, mac = rest.partition(".")
    if not (issued.isdigit() and renewed.isdigit()):
        return None
    if not hmac.compare_digest(mac, _mac(session_id, int(issued), int(renewed))):
        return None
    now = time.time() if now is None else now
    if now - int(renewed) > IDLE or now - int(issued) > LIFETIME:
        return None
    return int(issued)


class EndedSessions:
    """Sessions ended before their tokens expired, kept in this process."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock, self._ended = clock, {}

    async def end(self, session_id: str) -> None:
        now = self.clock()
        self._ended = {sid: at for sid, at in self._ended.items() if now - at < LIFETIME}
        self._ended[session_id] = now

    async def ended(self, session_id: str) -> bool:
        at = self._ended.get(session_id)
        return at is not None and self.clock() - at < LIFETIME


class SharedEndedSessions(EndedSessions):
    """The same, in Redis (every replica refuses an ended session). When Redis does not answer, a
    session counts as ended: a token is never honoured on a guess."""

    def __init__(self, url: str):
        from redis import asyncio as aioredis

        super().__init__()
        self.redis = aioredis.Redis.from_url(url, password=settings.REDIS_PASSWORD, socket_timeout=2)
        self.prefix = f"{settings.REDIS_KEY_PREFIX}:widget-ended:"

    async def end(self, session_id: str) -> None:
        try:
            await self.redis.set(self.prefix + session_id, 1, ex=LIFETIME)
        except Exception as error:
            logger.error("A widget session could not be marked ended: Redis did not answer (%s).", type(error).__name__)

    async def ended(self, session_id: str) -> bool:
        try:
            return bool(await self.redis.exists(self.prefix + session_id))
        except Exception as error:
            logger.warning("Widget session not resumed: Redis did not answer (%s).", type(error).__name__)
            return True


def ended_sessions() -> EndedSessions:
    return SharedEndedSessions(settings.REDIS_URL) if settings.REDIS_URL else EndedSessions()
