"""SMS received from Twilio, each handled once: until it is answered, the request is kept
(sealed with the conversation's key) and leased to the process answering it, which renews the
lease while it lives; a message whose lease ran out is taken over by another process. A sender's
earlier messages are answered first (channels/sms/claims.py decides when). A keyed hash of every
MessageSid is kept for good (`sms_seen`), so that a replayed request is refused however old.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine, Row
from sqlalchemy.exc import IntegrityError

from privacy.clock import Clock, as_utc
from privacy.crypto.indexer import Indexer
from privacy.crypto.sealing import Sealer
from privacy.errors import SubjectErased
from privacy.store.schema import sms_received, sms_seen
from privacy.subjects.conversations import Conversations


class SmsInbox:
    def __init__(self, data: Engine, clock: Clock, indexer: Indexer, sealer: Sealer, conversations: Conversations):
        self.data = data
        self.now = clock
        self.indexer = indexer
        self.sealer = sealer
        self.conversations = conversations

    def receive(self, message_sid: str, sender_id: str, request: str, owner: str, lease: timedelta) -> bool:
        """Keep a Twilio request (sealed) until it is handled, claimed by `owner` for `lease`;
        False when the message was received before (a retried webhook, or a replay)."""
        now = self.now()
        sealed = self.sealer.seal(self.conversations.ensure(sender_id), "sms_received", "request", message_sid, request)
        try:
            with self.data.begin() as db:
                db.execute(insert(sms_seen).values(message_sid_hash=self._hash(message_sid)))
                db.execute(
                    insert(sms_received).values(
                        message_sid=message_sid,
                        received_at=now,
                        sender_id=sender_id,
                        request=sealed,
                        claimed_by=owner,
                        claimed_until=now + lease,
                    )
                )
        except IntegrityError:
            return False
        return True

    def forget_before(self, cutoff: datetime, dry_run: bool = False) -> int:
        """Delete the rows of messages received before `cutoff` (retention), their hashes kept."""
        old = sms_received.c.received_at < cutoff
        with self.data.begin() as db:
            rows = db.execute(select(sms_received.c.message_sid).where(old)).scalars().all()
            if dry_run:
                return len(rows)
            digests = {self._hash(sid) for sid in rows}
            known = db.execute(select(sms_seen.c.message_sid_hash).where(sms_seen.c.message_sid_hash.in_(digests)))
            missing = digests - set(known.scalars())  # received before sms_seen existed
            if missing:
                db.execute(insert(sms_seen), [{"message_sid_hash": digest} for digest in missing])
            return db.execute(delete(sms_received).where(old)).rowcount

    def _hash(self, message_sid: str) -> str:
        return self.indexer.digest("sms_message_sid", message_sid)

    def handled(self, message_sid: str) -> None:
        """The message was answered: its request is dropped, its id kept against retries."""
        with self.data.begin() as db:
            db.execute(
                update(sms_received)
                .where(sms_received.c.message_sid == message_sid)
                .values(handled_at=self.now(), request=None, claimed_by=None, claimed_until=None)
            )

    def renew(self, owner: str, lease: timedelta) -> None:
        """Extend the lease on every message `owner` has claimed and not yet handled."""
        with self.data.begin() as db:
            db.execute(
                update(sms_received)
                .where(sms_received.c.claimed_by == owner, sms_received.c.handled_at.is_(None))
                .values(claimed_until=self.now() + lease)
            )

    def take_over(self, owner: str, lease: timedelta, limit: int = 100) -> list[tuple[str, str, str]]:
        """Claim the messages whose owner stopped renewing (it died before answering them),
        oldest first; returns (message_sid, sender_id, request) of each."""
        now = self.now()
        with self.data.connect() as db:
            abandoned = db.execute(
                select(
                    sms_received.c.message_sid,
                    sms_received.c.sender_id,
                    sms_received.c.request,
                    sms_received.c.claimed_by,
                    sms_received.c.claimed_until,
                )
                .where(sms_received.c.handled_at.is_(None), sms_received.c.claimed_until < now)
                .order_by(sms_received.c.received_at)
                .limit(limit)
            ).all()
        taken = [(row.message_sid, row.sender_id, self._claim(row, owner, now + lease)) for row in abandoned]
        return [message for message in taken if message[2] is not None]

    def earlier(
        self, message_sid: str, sender_id: str, owner: str, lease: timedelta
    ) -> Optional[list[tuple[str, str, bool]]]:
        """The sender's messages received before `message_sid` and not yet handled, for `owner`
        to answer first, oldest first, as (message_sid, request, whether it was taken over from
        a process that died). None while another living process holds one: ask again."""
        now = self.now()
        received = select(sms_received.c.received_at).where(sms_received.c.message_sid == message_sid).scalar_subquery()
        with self.data.connect() as db:
            waiting = db.execute(
                select(
                    sms_received.c.message_sid,
                    sms_received.c.request,
                    sms_received.c.claimed_by,
                    sms_received.c.claimed_until,
                )
                .where(
                    sms_received.c.sender_id == sender_id,
                    sms_received.c.handled_at.is_(None),
                    sms_received.c.received_at < received,
                )
                .order_by(sms_received.c.received_at)
            ).all()
        if any(row.claimed_by != owner and as_utc(row.claimed_until) >= now for row in waiting):
            return None
        found = []
        for row in waiting:
            request = self._claim(row, owner, now + lease)
            if request is None and row.claimed_by != owner:
                return None  # another process won it, or it was erased: ask again
            if request is not None:
                found.append((row.message_sid, request, row.claimed_by != owner))
        return found

    def _claim(self, row: Row, owner: str, until: datetime) -> Optional[str]:
        """Claim one unhandled message for `owner` (one process wins it) and open its request;
        None when another process won it, or the patient's data was erased meanwhile (then
        there is nothing to answer, and it counts as handled)."""
        if row.claimed_by != owner:
            with self.data.begin() as db:
                won = db.execute(
                    update(sms_received)
                    .where(
                        sms_received.c.message_sid == row.message_sid, sms_received.c.claimed_until == row.claimed_until
                    )
                    .values(claimed_by=owner, claimed_until=until)
                ).rowcount
            if not won:
                return None
        try:
            return self.sealer.open(row.request, "sms_received", "request", row.message_sid)
        except SubjectErased:
            self.handled(row.message_sid)
            return None
