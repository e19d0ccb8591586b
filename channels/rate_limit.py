"""Per-sender rate limits (token buckets), so that a flood of messages from one number or one
browser cannot take the assistant from everyone else.

A patient typing at a human pace never meets the limit: the bucket holds a burst of
`burst` messages and refills `per_minute` a minute. Over the limit a message is not
handled, and the sender is told once a minute to wait. The buckets live in the process
(each replica limits what it receives).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Optional

from bot.safety.red_flags import detect

SLOW_DOWN = ("You're sending messages faster than I can read them. Please wait a minute, then send your "
             "last message again. If this is an emergency, call 911.")
MAX_SENDERS = 50_000  # beyond this, the oldest idle buckets are dropped


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned_at: float = float("-inf")


class RateLimiter:
    def __init__(self, burst: int = 10, per_minute: int = 20, clock: Callable[[], float] = time.monotonic):
        self.burst, self.rate, self.clock = burst, per_minute / 60.0, clock
        self._buckets: dict[str, _Bucket] = {}

    def allow(self, sender_id: str) -> bool:
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

    def refuse(self, sender_id: str, text: object) -> Optional[str]:
        """None when the message may be handled (an emergency always may); otherwise what to
        tell the sender: SLOW_DOWN, or "" when they were told within the minute."""
        if self.allow(sender_id) or (isinstance(text, str) and detect(text)):
            return None
        return SLOW_DOWN if self.should_warn(sender_id) else ""

    def should_warn(self, sender_id: str) -> bool:
        """True at most once a minute per limited sender: when to tell them to slow down."""
        bucket, now = self._buckets.get(sender_id), self.clock()
        if bucket is None or now - bucket.warned_at < 60:
            return False
        bucket.warned_at = now
        return True

