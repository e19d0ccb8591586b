"""Messages to patients (SMS, e-mail) wait here, encrypted, until a sender delivers them.

With no SMS or e-mail provider configured (development, tests) they simply stay
here, where a developer or a test reads them. Every send is checked against the
consent it needs first: a refused send is audited and counted, never queued.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from privacy.clock import Clock
from privacy.compliance.audit import AuditLog
from privacy.compliance.consent import Consent
from privacy.crypto.keystore import CONTACT
from privacy.crypto.sealing import Sealer
from privacy.errors import InvalidInput
from privacy.store.schema import outbox

# What each kind of message needs. Identity codes answer the patient's own request.
NEEDS_CONSENT = {"identity": None, "reply": None, "confirmation": "sms", "reminder": "sms", "marketing": "marketing"}
CHANNELS = ("sms", "email")


@dataclass(frozen=True)
class Message:
    id: str
    subject_id: str
    channel: str
    purpose: str
    recipient: str
    body: str
    created_at: datetime
    sent_at: Optional[datetime]


class Outbox:
    def __init__(self, data: Engine, clock: Clock, sealer: Sealer, audit: AuditLog, consent: Consent):
        self.data = data
        self.now = clock
        self.sealer = sealer
        self.audit = audit
        self.consent = consent

    def queue(self, subject_id: str, channel: str, purpose: str, recipient: str, body: str) -> str:
        """Queue a message if consent allows it; returns its id (raises ConsentRequired)."""
        if channel not in CHANNELS or purpose not in NEEDS_CONSENT:
            raise InvalidInput(f"Unknown channel {channel!r} or purpose {purpose!r}.")
        needed = NEEDS_CONSENT[purpose] if channel == "sms" or purpose == "marketing" else None
        if needed:
            self.consent.require(subject_id, needed, action=f"send {purpose} by {channel}")
        message_id = f"m_{uuid.uuid4().hex}"
        seal = self.sealer.seal
        with self.data.begin() as db:
            db.execute(
                insert(outbox).values(
                    id=message_id,
                    subject_id=subject_id,
                    channel=channel,
                    purpose=purpose,
                    recipient=seal(subject_id, "outbox", "recipient", message_id, recipient, CONTACT),
                    body=seal(subject_id, "outbox", "body", message_id, body, CONTACT),
                    created_at=self.now(),
                )
            )
        self.audit.append("system", "message.queue", subject_id, purpose, {"channel": channel})
        return message_id

    def messages(self, subject_id: Optional[str] = None, pending_only: bool = False) -> list[Message]:
        """Messages, newest first, decrypted (for a sender, or a developer reading the local outbox)."""
        query = select(outbox).order_by(outbox.c.created_at.desc(), outbox.c.id)
        if subject_id:
            query = query.where(outbox.c.subject_id == subject_id)
        if pending_only:
            query = query.where(outbox.c.sent_at.is_(None))
        with self.data.connect() as db:
            rows = db.execute(query).all()
        opened = self.sealer.open
        return [
            Message(
                r.id,
                r.subject_id,
                r.channel,
                r.purpose,
                opened(r.recipient, "outbox", "recipient", r.id),
                opened(r.body, "outbox", "body", r.id),
                r.created_at,
                r.sent_at,
            )
            for r in rows
        ]

    def mark_sent(self, message_id: str) -> None:
        with self.data.begin() as db:
            db.execute(update(outbox).where(outbox.c.id == message_id).values(sent_at=self.now()))

    def claim(self, message_id: str) -> bool:
        """Mark a pending message sent before sending it; False when another sender took it first."""
        with self.data.begin() as db:
            return (
                db.execute(
                    update(outbox)
                    .where(outbox.c.id == message_id, outbox.c.sent_at.is_(None))
                    .values(sent_at=self.now())
                ).rowcount
                == 1
            )
