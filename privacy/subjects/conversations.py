"""Conversation history, one encrypted row per event, under the conversation's own key.

A conversation's id is a keyed HMAC of the channel's sender id, and the sender id
itself is stored encrypted: nothing in these tables names the patient. A
conversation gets its own subject and key when it starts; once the patient is
identified the subject is linked to theirs, so erasing the patient erases it too.
"""

from __future__ import annotations

import itertools
import json
from typing import Any, Callable, Optional, Sequence

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from privacy.clock import Clock
from privacy.crypto.indexer import Indexer
from privacy.crypto.keystore import KeyStore
from privacy.crypto.sealing import Sealer
from privacy.store.schema import conversation_events, conversations, subjects
from privacy.subjects.subjects import Subjects

SESSION_STARTED = "session_started"


class Conversations:
    def __init__(
        self, data: Engine, clock: Clock, indexer: Indexer, sealer: Sealer, keystore: KeyStore, subjects: Subjects
    ):
        self.data = data
        self.now = clock
        self.indexer = indexer
        self.sealer = sealer
        self.keystore = keystore
        self.subjects = subjects

    def id_for(self, sender_id: str) -> str:
        """The pseudonymous id a sender's conversation is stored under."""
        return self.indexer.digest("conversation", sender_id)

    def _row(self, db, conversation_id: str):
        return db.execute(
            select(conversations.c.subject_id, conversations.c.event_count, conversations.c.session_start).where(
                conversations.c.id == conversation_id
            )
        ).first()

    def save(
        self, sender_id: str, session_events: Sequence[Any], as_dict: Callable[[Any], dict[str, Any]] = dict
    ) -> int:
        """Store the events of the current session that are not stored yet; returns how many.

        `session_events` are the conversation's events since its latest session start, as
        `load` returned them plus what happened since; only the new ones are turned into
        dicts by `as_dict`. The caller holds the conversation's lock.
        """
        conversation_id = self.id_for(sender_id)
        with self.data.connect() as db:
            row = self._row(db, conversation_id)
        stored = row.event_count - row.session_start if row else 0
        events = [as_dict(event) for event in itertools.islice(session_events, stored, None)]
        if not events:
            return 0
        if row is None:
            subject_id, count, start = self.ensure(sender_id), 0, 0
        else:
            subject_id, count, start = row
        seal = self.sealer.seal
        rows = []
        for seq, event in enumerate(events, start=count):
            type_name = event.get("event", "unknown")
            if type_name == SESSION_STARTED:
                start = seq
            rows.append(
                {
                    "conversation_id": conversation_id,
                    "seq": seq,
                    "type_name": type_name,
                    "timestamp": float(event.get("timestamp") or 0.0),
                    "data": seal(
                        subject_id, "conversation_events", "data", f"{conversation_id}:{seq}", json.dumps(event)
                    ),
                }
            )
        with self.data.begin() as db:
            db.execute(insert(conversation_events), rows)
            db.execute(
                update(conversations)
                .where(conversations.c.id == conversation_id)
                .values(event_count=count + len(rows), session_start=start, updated_at=self.now())
            )
        return len(rows)

    def load(self, sender_id: str, all_sessions: bool = False) -> Optional[list[dict[str, Any]]]:
        """The events of the latest session (or of all), decrypted; None for an unknown sender."""
        conversation_id = self.id_for(sender_id)
        with self.data.connect() as db:
            row = self._row(db, conversation_id)
            if row is None:
                return None
            query = select(conversation_events.c.seq, conversation_events.c.data).where(
                conversation_events.c.conversation_id == conversation_id
            )
            if not all_sessions:
                query = query.where(conversation_events.c.seq >= row.session_start)
            stored = db.execute(query.order_by(conversation_events.c.seq)).all()
        opened = self.sealer.open
        return [
            json.loads(opened(data, "conversation_events", "data", f"{conversation_id}:{seq}")) for seq, data in stored
        ]

    def ensure(self, sender_id: str) -> str:
        """The conversation's subject, creating the (empty) conversation if it is not stored yet."""
        conversation_id = self.id_for(sender_id)
        with self.data.connect() as db:
            row = self._row(db, conversation_id)
        if row:
            return row.subject_id
        subject_id, now = self.subjects.create("conversation"), self.now()
        sender = self.sealer.seal(subject_id, "conversations", "sender", conversation_id, sender_id)
        with self.data.begin() as db:
            db.execute(
                insert(conversations).values(
                    id=conversation_id,
                    subject_id=subject_id,
                    sender=sender,
                    event_count=0,
                    session_start=0,
                    created_at=now,
                    updated_at=now,
                )
            )
        return subject_id

    def transcript(self, subject_ids: list[str]) -> list[dict[str, Any]]:
        """What the patient and the assistant said in these conversations, oldest first."""
        with self.data.connect() as db:
            rows = db.execute(
                select(conversation_events.c.conversation_id, conversation_events.c.seq, conversation_events.c.data)
                .join(conversations, conversations.c.id == conversation_events.c.conversation_id)
                .where(
                    conversations.c.subject_id.in_(subject_ids), conversation_events.c.type_name.in_(("user", "bot"))
                )
                .order_by(conversation_events.c.timestamp, conversation_events.c.seq)
            ).all()
        return [
            {
                "at": e.get("timestamp"),
                "from": "you" if e["event"] == "user" else "assistant",
                "text": e.get("text") or "",
            }
            for e in self._opened(rows)
        ]

    def _opened(self, rows) -> list[dict[str, Any]]:
        """Decrypted events of (conversation id, seq, data) rows."""
        opened = self.sealer.open
        return [
            json.loads(opened(data, "conversation_events", "data", f"{conversation_id}:{seq}"))
            for conversation_id, seq, data in rows
        ]

    def check(self) -> None:
        """Raise unless the conversation tables and the key store can be read."""
        with self.data.connect() as db:
            db.execute(select(conversations.c.id).limit(1)).all()
            db.execute(select(conversation_events.c.id).limit(1)).all()
        self.keystore.usage()

    def forget(self, sender_id: str) -> None:
        """Drop what is left of a conversation whose key was destroyed (unreadable rows)."""
        conversation_id = self.id_for(sender_id)
        with self.data.begin() as db:
            db.execute(delete(conversation_events).where(conversation_events.c.conversation_id == conversation_id))
            db.execute(delete(conversations).where(conversations.c.id == conversation_id))

    def sender_of(self, conversation_id: str) -> Optional[str]:
        """The channel's sender id of a stored conversation (to answer it through its channel)."""
        with self.data.connect() as db:
            row = db.execute(select(conversations.c.sender).where(conversations.c.id == conversation_id)).first()
        return self.sealer.open(row.sender, "conversations", "sender", conversation_id) if row else None

    def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        """What the patient and the assistant (or staff) said in one conversation, oldest first."""
        with self.data.connect() as db:
            rows = db.execute(
                select(conversation_events.c.conversation_id, conversation_events.c.seq, conversation_events.c.data)
                .where(
                    conversation_events.c.conversation_id == conversation_id,
                    conversation_events.c.type_name.in_(("user", "bot")),
                )
                .order_by(conversation_events.c.seq)
            ).all()
        return [
            {
                "at": e.get("timestamp"),
                "text": e.get("text") or "",
                "from": "patient" if e["event"] == "user" else (e.get("metadata") or {}).get("staff", "assistant"),
            }
            for e in self._opened(rows)
        ]

    def subject_of(self, sender_id: str) -> Optional[str]:
        with self.data.connect() as db:
            row = self._row(db, self.id_for(sender_id))
        return row.subject_id if row else None

    def link_patient(self, sender_id: str, patient_subject_id: str) -> None:
        """Record that this conversation is the patient's: erasing them erases it."""
        subject_id = self.subject_of(sender_id)
        if subject_id:
            self.subjects.link(subject_id, patient_subject_id)

    def senders(self) -> list[str]:
        """The channel sender ids of stored conversations (decrypted; erased ones are skipped)."""
        with self.data.connect() as db:
            rows = db.execute(
                select(conversations.c.id, conversations.c.sender)
                .join(subjects, subjects.c.id == conversations.c.subject_id)
                .where(subjects.c.erased_at.is_(None))
            ).all()
        return [self.sealer.open(sender, "conversations", "sender", cid) for cid, sender in rows]
