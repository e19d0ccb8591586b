"""A sender's messages in this process: one at a time, in the order received.

Beside each sender's queue it keeps the messages being answered now (an emergency does not
wait for its turn) and those answered before their turn came (an earlier message answered
first for a later one): their turn then has nothing left to do.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import AsyncIterator, Iterator


@dataclass
class _Queue:
    """A sender's messages waiting to be handled, one at a time, in order."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0


class SenderOrder:
    """Each sender's turns in this process, and which messages are answered now or were early."""

    def __init__(self) -> None:
        self._senders: dict[str, _Queue] = {}
        self._answering: set[str] = set()
        self._answered_early: set[str] = set()

    @asynccontextmanager
    async def turn(self, sender_id: str) -> AsyncIterator[None]:
        """The message's turn: once the sender's earlier messages in this process are done."""
        queue = self._senders.setdefault(sender_id, _Queue())
        queue.waiting += 1
        try:
            async with queue.lock:
                yield
        finally:
            queue.waiting -= 1
            if queue.waiting == 0:
                del self._senders[sender_id]

    @contextmanager
    def answering(self, message_sid: str) -> Iterator[None]:
        """While the message is being answered."""
        self._answering.add(message_sid)
        try:
            yield
        finally:
            self._answering.discard(message_sid)

    def is_answering(self, message_sid: str) -> bool:
        return message_sid in self._answering

    def note_answered_early(self, message_sid: str) -> None:
        """The message was answered before its turn, which is still to come."""
        self._answered_early.add(message_sid)

    def answered_early(self, message_sid: str) -> bool:
        """Whether the message was answered before its turn (forgotten once asked: its turn has come)."""
        if message_sid not in self._answered_early:
            return False
        self._answered_early.discard(message_sid)
        return True
