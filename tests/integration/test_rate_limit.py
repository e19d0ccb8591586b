"""Rate limits shared by the replicas through Redis: one bucket per sender, whichever replica
a message reaches."""

import asyncio
import uuid

import pytest

from channels.rate_limit import SLOW_DOWN, SharedRateLimiter
from harness.databases import REDIS_URL, redis_available


@pytest.fixture
def replicas(monkeypatch):
    if redis_available():
        pytest.skip(redis_available())
    monkeypatch.setattr("settings.REDIS_KEY_PREFIX", f"test{uuid.uuid4().hex[:12]}")
    return SharedRateLimiter(REDIS_URL, 10, 20), SharedRateLimiter(REDIS_URL, 10, 20)


def test_a_flood_spread_over_two_replicas_meets_one_limit(replicas):
    sender = f"sms_{uuid.uuid4().hex}"

    async def flood():
        return [await replicas[n % 2].refuse(sender, emergency=False) for n in range(16)]

    answers = asyncio.run(flood())
    assert answers[:10] == [None] * 10  # the burst
    assert answers[10] == SLOW_DOWN and answers[11:] == [""] * 5  # told once, then silence
    assert asyncio.run(replicas[1].refuse(sender, emergency=True)) is None  # an emergency always passes
    assert asyncio.run(replicas[0].refuse(f"sms_{uuid.uuid4().hex}", emergency=False)) is None  # others are not limited


def test_when_redis_does_not_answer_messages_pass():
    limiter = SharedRateLimiter("redis://127.0.0.1:1/0", 10, 20)  # nothing listens there
    assert asyncio.run(limiter.refuse("sms_x", emergency=False)) is None
