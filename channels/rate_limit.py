"""Per-sender rate limits (token buckets), so that a flood of messages from one number or one
browser cannot take the assistant from everyone else.

A patient typing at a human pace never meets the limit: the bucket holds a burst of
`burst` messages and refills `per_minute` a minute. Over the limit a message is not
handled, and the sender is told once a minute to wait. The buckets live in the process,
or in Redis when REDIS_URL is set, so that the replicas share each sender's bucket (a
flood spread over two replicas meets one limit). When Redis does not answer, messages
pass: a patient is never refused because the limiter is down.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable, Optional

from sanic.request import Request

import settings

logger = logging.getLogger(__name__)

SLOW_DOWN = (
    "You're sending messages faster than I can read them. Please wait a minute, then send your "
    "last message again. If this is an emergency, call 911."
)
MAX_SENDERS = 50_000  # beyond this, the oldest idle buckets are dropped


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned_at: float = float("-inf")


class RateLimiter:
    """Token buckets kept in this process."""

    def __init__(self, burst: int, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.burst, self.rate, self.clock = burst, per_minute / 60.0, clock
        self._buckets: dict[str, _Bucket] = {}

    async def _take(self, sender_id: str) -> bool:
        """Take one message from the sender's bucket; False when it is empty."""
        now = self.clock()
        bucket = self._buckets.pop(sender_id, None) or _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        self._buckets[sender_id] = bucket  # most recently used last
        if len(self._buckets) > MAX_SENDERS:
            del self._buckets[next(iter(self._buckets))]
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return True
        return False

    async def refuse(self, sender_id: str, emergency: bool) -> Optional[str]:
        """None when the message may be handled (an emergency always may); otherwise what to
        tell the sender: SLOW_DOWN, or "" when they were told within the minute."""
        if await self._take(sender_id) or emergency:
            return None
        return SLOW_DOWN if await self._warn(sender_id) else ""

    async def _warn(self, sender_id: str) -> bool:
        """True at most once a minute per limited sender: when to tell them to slow down."""
        bucket, now = self._buckets.get(sender_id), self.clock()
        if bucket is None or now - bucket.warned_at < 60:
            return False
        bucket.warned_at = now
        return True


# One sender's bucket in Redis, taken from atomically: KEYS[1] the bucket; ARGV now, burst, rate per second.
_TAKE = """
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local now, burst, rate = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tokens = tonumber(bucket[1]) or burst
local updated = tonumber(bucket[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
return allowed
"""


class SharedRateLimiter(RateLimiter):
    """The same limits, with the buckets in Redis (shared by the replicas)."""

    def __init__(self, url: str, burst: int, per_minute: int, clock: Callable[[], float] = time.time):
        from redis import asyncio as aioredis

        super().__init__(burst, per_minute, clock)
        self.redis = aioredis.Redis.from_url(url, password=settings.REDIS_PASSWORD, socket_timeout=2)
        self.prefix = f"{settings.REDIS_KEY_PREFIX}:rate:"
        self._script = self.redis.register_script(_TAKE)

    async def _take(self, sender_id: str) -> bool:
        try:
            return await self._script(keys=[self.prefix + sender_id], args=[self.clock(), self.burst, self.rate]) == 1
        except Exception as error:
            logger.warning("Rate limit not applied: Redis did not answer (%s).", type(error).__name__)
            return True

    async def _warn(self, sender_id: str) -> bool:
        try:
            return bool(await self.redis.set(f"{self.prefix}{sender_id}:warned", 1, nx=True, ex=60))
        except Exception:
            return False


def client_address(request: Request) -> str:
    """The client's address: the peer's, or with TRUSTED_PROXIES proxies in front, the one the
    outermost of them saw (each appends its peer to X-Forwarded-For; what a client sent is ignored)."""
    forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()]
    if settings.TRUSTED_PROXIES and len(forwarded) >= settings.TRUSTED_PROXIES:
        return forwarded[-settings.TRUSTED_PROXIES]
    return request.ip


def rate_limiter(burst: Optional[int] = None, per_minute: Optional[int] = None) -> RateLimiter:
    """Buckets shared through Redis when REDIS_URL is set, else in the process; by default each
    sender's limits (RATE_LIMIT_BURST, RATE_LIMIT_PER_MINUTE)."""
    burst = settings.RATE_LIMIT_BURST if burst is None else burst
    per_minute = settings.RATE_LIMIT_PER_MINUTE if per_minute is None else per_minute
    if settings.REDIS_URL:
        return SharedRateLimiter(settings.REDIS_URL, burst, per_minute)
    return RateLimiter(burst, per_minute)
