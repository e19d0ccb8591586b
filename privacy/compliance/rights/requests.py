"""Data-subject requests as stored: their kinds, statuses and due dates, and each status change.

Kinds: access, correction, deletion, objection, portability, and marketing opt-out
and consent withdrawal. Objection, opt-out and withdrawal take effect at once; the
others need the patient's identity verified (one-time code, or staff) before
anything is disclosed or changed, then follow

    received -> identity_verified -> in_progress -> completed | denied | partially_completed

Due dates: 30 days; 15 business days for access to electronic health records
(Texas Health and Safety Code §181.102); 60 days for amending a medical record
(HIPAA, 45 CFR §164.526). Every step is kept in the request's history and audited.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Optional

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine

from privacy.clock import Clock, as_utc
from privacy.compliance.audit import AuditLog
from privacy.crypto.sealing import Sealer
from privacy.errors import InvalidInput, NotFound, SubjectErased
from privacy.store.schema import request_history, rights_requests


class Kind(str, Enum):
    """What a request asks for; stored by value."""

    ACCESS = "access"
    CORRECTION = "correction"
    DELETION = "deletion"
    OBJECTION = "objection"
    PORTABILITY = "portability"
    MARKETING_OPT_OUT = "marketing_opt_out"
    CONSENT_WITHDRAWAL = "consent_withdrawal"


class Status(str, Enum):
    """Where a request is in its lifecycle; stored by value."""

    RECEIVED = "received"
    IDENTITY_VERIFIED = "identity_verified"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    PARTIALLY_COMPLETED = "partially_completed"
    DENIED = "denied"


KINDS = tuple(kind.value for kind in Kind)
AT_ONCE = (Kind.OBJECTION, Kind.MARKETING_OPT_OUT, Kind.CONSENT_WITHDRAWAL)
OPEN = (Status.RECEIVED, Status.IDENTITY_VERIFIED, Status.IN_PROGRESS)
NEXT = {  # received -> in progress only for the kinds carried out at once (approve checks identity)
    Status.RECEIVED: (Status.IDENTITY_VERIFIED, Status.IN_PROGRESS, Status.DENIED),
    Status.IDENTITY_VERIFIED: (Status.IN_PROGRESS, Status.DENIED),
    Status.IN_PROGRESS: (Status.COMPLETED, Status.PARTIALLY_COMPLETED, Status.DENIED),
    Status.PARTIALLY_COMPLETED: (Status.COMPLETED,),
}


@dataclass(frozen=True)
class Request:
    id: str
    subject_id: str
    kind: str
    status: str
    channel: str
    requested_by: str
    details: dict[str, Any]
    outcome: dict[str, Any]
    received_at: datetime
    due_at: datetime
    closed_at: Optional[datetime]
    record_subject_id: str

    def overdue(self, now: datetime) -> bool:
        return self.status in OPEN and now > self.due_at


@dataclass(frozen=True)
class Step:
    status: str
    actor: str
    note: str
    at: datetime


@dataclass(frozen=True)
class Result:
    request: Request
    download_token: Optional[str] = None


def business_days_after(start: datetime, days: int) -> datetime:
    """`days` working days (Monday to Friday) after `start`."""
    day = start
    while days:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def due_date(kind: str, received: datetime, details: dict[str, Any]) -> datetime:
    if kind in ("access", "portability"):
        return business_days_after(received, 15)
    if kind == "correction" and details.get("record_id"):
        return received + timedelta(days=60)
    return received + timedelta(days=30)


class Requests:
    def __init__(self, data: Engine, clock: Clock, sealer: Sealer, audit: AuditLog):
        self.data = data
        self.now = clock
        self.sealer = sealer
        self.audit = audit

    # -- reading --------------------------------------------------------------
    def get(self, request_id: str) -> Request:
        with self.data.connect() as db:
            row = db.execute(select(rights_requests).where(rights_requests.c.id == request_id)).first()
        if row is None:
            raise NotFound(f"No request {request_id}.")
        return self._request(row)

    def _request(self, row) -> Request:
        opened = self.sealer.open
        try:
            details = json.loads(opened(row.details, "rights_requests", "details", row.id)) if row.details else {}
        except SubjectErased:  # the patient was erased since: only the handling is kept
            details = {}
        outcome = json.loads(opened(row.outcome, "rights_requests", "outcome", row.id)) if row.outcome else {}
        return Request(
            row.id,
            row.subject_id,
            row.kind,
            row.status,
            row.channel,
            row.requested_by,
            details,
            outcome,
            as_utc(row.received_at),
            as_utc(row.due_at),
            as_utc(row.closed_at),
            row.record_subject_id,
        )

    def list(self, *, open_only: bool = True, subject_id: Optional[str] = None) -> list[Request]:
        """Requests, overdue first, then by due date."""
        query = select(rights_requests)
        if open_only:
            query = query.where(rights_requests.c.status.in_(OPEN))
        if subject_id:
            query = query.where(rights_requests.c.subject_id == subject_id)
        with self.data.connect() as db:
            requests = [self._request(row) for row in db.execute(query)]
        now = self.now()
        return sorted(requests, key=lambda r: (not r.overdue(now), r.due_at))

    def history(self, request_id: str) -> list[Step]:
        with self.data.connect() as db:
            rows = db.execute(
                select(request_history)
                .where(request_history.c.request_id == request_id)
                .order_by(request_history.c.seq)
            ).all()
        return [
            Step(r.status, r.actor, self.sealer.open(r.note, "request_history", "note", r.id), as_utc(r.at))
            for r in rows
        ]

    # -- writing ----------------------------------------------------------------
    def create(
        self, subject_id: str, record_subject: str, kind: str, *, channel: str, actor: str, details: dict[str, Any]
    ) -> Request:
        """Store a received request: its details under the patient's key, its history under
        `record_subject`'s (the request's own subject, which outlives the patient's erasure)."""
        now, request_id = self.now(), f"R-{secrets.token_hex(4).upper()}"
        with self.audit.transaction() as (db, audited):
            db.execute(
                insert(rights_requests).values(
                    id=request_id,
                    subject_id=subject_id,
                    record_subject_id=record_subject,
                    kind=kind,
                    status=Status.RECEIVED.value,
                    channel=channel,
                    requested_by=actor,
                    received_at=now,
                    due_at=due_date(kind, now, details),
                    details=self._seal_json(subject_id, "details", request_id, details),
                )
            )
            self._step(db, request_id, record_subject, Status.RECEIVED, actor, f"{kind} request received via {channel}")
            audited(actor, "rights.open", subject_id, kind, {"request": request_id})
        return self.get(request_id)

    def move(self, request: Request, status: Status, actor: str, note: str) -> Request:
        """Change the status, add the history step and the audit entry: one transaction."""
        if status not in NEXT.get(Status(request.status), ()):
            raise InvalidInput(f"Request {request.id} is {request.status}; it cannot become {status.value}.")
        with self.audit.transaction() as (db, audited):
            db.execute(update(rights_requests).where(rights_requests.c.id == request.id).values(status=status.value))
            self._step(db, request.id, request.record_subject_id, status, actor, note)
            audited(actor, f"rights.{status.value}", request.subject_id, note[:200], {"request": request.id})
        return self.get(request.id)

    def close(self, request: Request, outcome: dict[str, Any]) -> Request:
        """Record the outcome (sealed with the request's own key) and when the request closed."""
        with self.data.begin() as db:
            db.execute(
                update(rights_requests)
                .where(rights_requests.c.id == request.id)
                .values(
                    closed_at=self.now(),
                    outcome=self._seal_json(request.record_subject_id, "outcome", request.id, outcome),
                )
            )
        return self.get(request.id)

    def close_pending_deletions(self, subject_id: str) -> None:
        """After the retention sweep erased a subject: finish their partly completed deletions."""
        for request in self.list(open_only=False, subject_id=subject_id):
            if request.kind == Kind.DELETION and request.status == Status.PARTIALLY_COMPLETED:
                self.move(request, Status.COMPLETED, "system", "the retention period ended; everything was erased")

    def _seal_json(self, subject_id: str, column: str, request_id: str, value: dict[str, Any]) -> bytes:
        return self.sealer.seal(subject_id, "rights_requests", column, request_id, json.dumps(value, default=str))

    def _step(self, db, request_id: str, subject_id: str, status: Status, actor: str, note: str) -> None:
        step_id = f"h_{uuid.uuid4().hex}"
        seq = (
            db.execute(
                select(func.count()).select_from(request_history).where(request_history.c.request_id == request_id)
            ).scalar()
            + 1
        )
        db.execute(
            insert(request_history).values(
                id=step_id,
                request_id=request_id,
                seq=seq,
                status=status.value,
                actor=actor,
                at=self.now(),
                note=self.sealer.seal(subject_id, "request_history", "note", step_id, note),
            )
        )
