"""Rasa tracker store on the vault: every event encrypted with the conversation's key.

Configured in endpoints.yml (type: bot.plugins.tracker_store.EncryptedTrackerStore). Events
live in the vault's conversation tables, so the vault's retention and erasure reach
conversations too. Rasa wraps tracker stores so that a failed read silently starts
a fresh conversation and a failed save keeps events only in memory; `install()`
stops that for this store: a failure reaches the channel (which answers "please
try again") and is logged, and readiness (channels/health.py) probes the store.

A download link the bot gave is stored as a placeholder: the patient saw it once, and neither
the widget's history, Rasa's API nor the staff console shows it again.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Callable, Iterable, Optional

from rasa.core.agent import Agent
from rasa.core.tracker_store import SerializedTrackerAsText, TrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from privacy import shared_vault
from privacy.errors import SubjectErased

logger = logging.getLogger(__name__)

DOWNLOAD_LINK = re.compile(r"\S*/webhooks/downloads/[A-Za-z0-9_-]+")
LINK_PLACEHOLDER = "[a download link, shown to the patient once]"


class EncryptedTrackerStore(TrackerStore, SerializedTrackerAsText):
    """Stores each event as its own encrypted row in the vault."""

    def __init__(self, domain=None, host=None, event_broker=None, **kwargs: Any) -> None:
        super().__init__(domain, event_broker, **kwargs)
        self.vault = shared_vault()

    async def _call(self, function: Callable, *args: Any) -> Any:
        try:
            return await asyncio.to_thread(function, *args)
        except Exception as error:
            logger.error("Tracker store %s failed: %s", function.__name__, type(error).__name__)
            raise

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        await self._call(self.vault.conversations.save, tracker.sender_id, list(tracker.events), _as_dict)

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        return await self._retrieve(sender_id, all_sessions=False)

    async def retrieve_full_tracker(self, conversation_id: str) -> Optional[DialogueStateTracker]:
        return await self._retrieve(conversation_id, all_sessions=True)

    async def _retrieve(self, sender_id: str, all_sessions: bool) -> Optional[DialogueStateTracker]:
        try:
            events = await self._call(self.vault.conversations.load, sender_id, all_sessions)
        except SubjectErased:
            # The patient asked for erasure: what is left cannot be read; start afresh.
            await self._call(self.vault.conversations.forget, sender_id)
            return None
        if not events:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def keys(self) -> Iterable[str]:
        return await self._call(self.vault.conversations.senders)

    async def ready(self) -> bool:
        """True when the store's tables and the key store can be read now."""
        try:
            await self._call(self.vault.conversations.check)
        except Exception:
            return False
        return True


def _as_dict(event) -> dict:
    """The event as stored: a download link in what the bot said (its text, data or metadata)
    replaced by a placeholder."""
    stored = event.as_dict()
    return _without_links(stored) if stored.get("event") == "bot" else stored


def _without_links(value: Any) -> Any:
    if isinstance(value, str):
        return DOWNLOAD_LINK.sub(LINK_PLACEHOLDER, value)
    if isinstance(value, dict):
        return {key: _without_links(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_links(item) for item in value]
    return value


def install() -> None:
    """Let Rasa use EncryptedTrackerStore as it is, not behind its fail-safe wrapper."""
    original = Agent._create_tracker_store
    if getattr(original, "keeps_encrypted_store", False):
        return

    def create(store, domain):
        return store if isinstance(store, EncryptedTrackerStore) else original(store, domain)

    create.keeps_encrypted_store = True
    Agent._create_tracker_store = staticmethod(create)
