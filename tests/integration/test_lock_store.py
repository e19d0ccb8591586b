"""The Redis lock store shared by the replicas: tickets are issued and returned atomically."""

import asyncio
import threading
import uuid

import pytest

from bot.plugins import lock_store
from bot.plugins.lock_store import SerialRedisLockStore, redis_settings
from harness.databases import REDIS_URL, redis_available


@pytest.fixture
def stores(monkeypatch):
    """Two lock stores on one Redis, as two replicas have them."""
    if redis_available():
        pytest.skip(redis_available())
    monkeypatch.setattr("settings.REDIS_URL", REDIS_URL)
    monkeypatch.setattr("settings.REDIS_KEY_PREFIX", f"test{uuid.uuid4().hex[:12]}")
    return SerialRedisLockStore(), SerialRedisLockStore()


def test_tickets_issued_at_once_by_two_replicas_are_all_different(stores):
    conversation, issued = f"c{uuid.uuid4().hex}", []

    def issue(store):
        for _ in range(40):
            issued.append(store.issue_ticket(conversation, 30))

    workers = [threading.Thread(target=issue, args=(store,)) for store in stores * 4]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(issued) == 320 and len(set(issued)) == 320


def test_a_finished_turn_does_not_delete_the_lock_another_replica_waits_for(stores):
    first, second = stores
    conversation = f"c{uuid.uuid4().hex}"
    mine = first.issue_ticket(conversation, 30)
    theirs = second.issue_ticket(conversation, 30)
    first.cleanup(conversation, mine)
    lock = second.get_lock(conversation)
    assert lock is not None and not lock.is_locked(theirs)
    second.cleanup(conversation, theirs)
    assert second.get_lock(conversation) is None  # nobody left: the key is gone


def test_one_conversation_is_handled_by_one_replica_at_a_time_in_order(stores):
    conversation, order, inside = f"c{uuid.uuid4().hex}", [], []

    async def turn(store, name):
        async with store.lock(conversation):
            inside.append(name)
            assert len(inside) == 1, "two turns of one conversation ran at once"
            await asyncio.sleep(0.05)
            order.append(name)
            inside.remove(name)

    async def main():
        turns = []
        for n in range(10):
            turns.append(asyncio.create_task(turn(stores[n % 2], n)))
            await asyncio.sleep(0.005)  # each asks after the one before
        await asyncio.gather(*turns)

    asyncio.run(main())
    assert order == list(range(10))


def test_redis_urls_become_the_lock_stores_settings():
    assert redis_settings("rediss://user:secret@cache.internal:6380/2") == {
        "host": "cache.internal",
        "port": 6380,
        "db": 2,
        "username": "user",
        "password": "secret",
        "use_ssl": True,
    }
    with pytest.raises(ValueError):
        redis_settings("http://cache.internal")
    assert lock_store.POLL_SECONDS < 0.1
