"""Health records: intake answers, symptoms, medications, allergies, conditions; encrypted, audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from privacy.clock import Clock
from privacy.compliance.audit import AuditLog
from privacy.crypto.sealing import Sealer
from privacy.errors import InvalidInput
from privacy.store.schema import health_records
from privacy.subjects.subjects import Subjects

CATEGORIES = ("intake", "symptom", "medication", "allergy", "condition")


@dataclass(frozen=True)
class Record:
    id: str
    category: str
    value: str
    appointment_id: Optional[str]
    created_at: datetime
    amends: Optional[str] = None


class Records:
    def __init__(self, data: Engine, clock: Clock, sealer: Sealer, audit: AuditLog, subjects: Subjects):
        self.data = data
        self.now = clock
        self.sealer = sealer
        self.audit = audit
        self.subjects = subjects

    def put(
        self,
        subject_id: str,
        category: str,
        value: str,
        *,
        actor: str,
        reason: str,
        appointment_id: Optional[str] = None,
        amends: Optional[str] = None,
    ) -> str:
        """Store one health record for the subject; returns its id. An amendment names the
        record it corrects (`amends`), which is kept as it was."""
        if category not in CATEGORIES:
            raise InvalidInput(f"Unknown record category {category!r}; one of {', '.join(CATEGORIES)}.")
        record_id = f"r_{uuid.uuid4().hex}"
        sealed = self.sealer.seal(subject_id, "health_records", "value", record_id, value)
        with self.data.begin() as db:
            db.execute(
                insert(health_records).values(
                    id=record_id,
                    subject_id=subject_id,
                    category=category,
                    value=sealed,
                    appointment_id=appointment_id,
                    amends=amends,
                    created_at=self.now(),
                )
            )
        self.audit.append(actor, "record.write", subject_id, reason, {"category": category})
        return record_id

    def list(self, subject_id: str, *, actor: str, reason: str) -> list[Record]:
        """Every health record of the subject, decrypted; the read is audited."""
        self.subjects.check_use(subject_id, actor)
        with self.data.connect() as db:
            rows = db.execute(
                select(health_records)
                .where(health_records.c.subject_id == subject_id)
                .order_by(health_records.c.created_at, health_records.c.id)
            ).all()
        self.audit.append(actor, "record.read", subject_id, reason, {"records": len(rows)})
        return [
            Record(
                r.id,
                r.category,
                self.sealer.open(r.value, "health_records", "value", r.id),
                r.appointment_id,
                r.created_at,
                r.amends,
            )
            for r in rows
        ]
