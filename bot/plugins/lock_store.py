"""Rasa's lock store on Redis, made safe for several replicas.

One conversation must be handled by one replica at a time, in the order its messages
arrived. Rasa 3.6's RedisLockStore reads a conversation's ticket lock, changes it and
writes it back in separate commands: two replicas issuing a ticket at once can both
get the same number (and handle the conversation at the same time), and a replica
finishing its turn can delete the lock while another is waiting (which then fails with
LockError). It also polls a busy lock once a second.

SerialRedisLockStore issues and returns tickets in Redis transactions (WATCH/MULTI:
a changed lock makes the transaction start over) and polls every 20 ms. endpoints.yml
names it when REDIS_URL is set (runtime/serve.py sets LOCK_STORE_TYPE); without
REDIS_URL a single process uses Rasa's in-memory lock store.

A replica that dies holding a lock leaves its ticket until the ticket expires
(TICKET_LOCK_LIFETIME seconds, read by Rasa; the production launcher sets 30); the
conversation waits that long, then goes on.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Optional
from urllib.parse import urlparse

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

POLL_SECONDS = 0.02


def redis_settings(url: str, password: str = "") -> dict[str, Any]:
    """RedisLockStore's arguments for a redis:// or rediss:// URL and Redis's password (REDIS_PASSWORD;
    without it, the URL's)."""
    parts = urlparse(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError("REDIS_URL must look like redis://host:6379/0")
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 6379,
        "db": int(parts.path.lstrip("/") or 0),
        "username": parts.username,
        "password": password or parts.password,
        "use_ssl": parts.scheme == "rediss",
    }


class SerialRedisLockStore(RedisLockStore):
    """RedisLockStore whose ticket changes are atomic across replicas."""

    def __init__(self, endpoint_config: Any = None) -> None:
        import settings

        super().__init__(
            **redis_settings(settings.REDIS_URL, settings.REDIS_PASSWORD), key_prefix=settings.REDIS_KEY_PREFIX or None
        )

    def _change(self, conversation_id: str, change: Callable[[TicketLock], Any]) -> Any:
        """Apply `change` to the conversation's lock in one transaction; return its result.
        The lock is written only when it changed (a waiting turn polls it every 20 ms), and
        deleted when no ticket is left."""
        key = self.key_prefix + conversation_id

        def transaction(pipe: Any) -> Any:
            stored = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(stored)) if stored else TicketLock(conversation_id)
            result = change(lock)
            pipe.multi()
            if lock.tickets and (stored is None or lock.dumps() != stored.decode()):
                pipe.set(key, lock.dumps())
            elif not lock.tickets and stored is not None:
                pipe.delete(key)
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))
        except Exception as error:
            raise LockError(f"Error while acquiring lock: {type(error).__name__}") from error

    def update_lock(self, conversation_id: str) -> None:
        self._change(conversation_id, TicketLock.remove_expired_tickets)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    async def _acquire_lock(self, conversation_id: str, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        return await super()._acquire_lock(conversation_id, ticket, POLL_SECONDS)

    def ping(self) -> Optional[str]:
        """None when Redis answers, else why not (for readiness)."""
        try:
            self.red.ping()
        except Exception as error:
            return type(error).__name__
        return None
