"""Work for people: handed-off conversations, refill requests for the care team, billing questions.

The summary a person reads is encrypted with the subject's key; everything else is plain
routing information (kind, status, times, who claimed it).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from privacy.clock import Clock, as_utc
from privacy.compliance.audit import AuditLog
from privacy.compliance.rights.requests import OPEN as OPEN_REQUESTS
from privacy.crypto.sealing import Sealer
from privacy.errors import InvalidInput, NotFound
from privacy.store.schema import rights_requests, subjects, tickets

KINDS = ("handoff", "refill", "clinician_message", "billing")
OPEN_STATUSES = ("open", "claimed")


@dataclass(frozen=True)
class Ticket:
    id: str
    kind: str
    status: str
    subject_id: str
    conversation_id: Optional[str]
    channel: str
    summary: str
    emergency: bool
    created_at: datetime
    claimed_by: Optional[str]


class Tickets:
    def __init__(self, data: Engine, clock: Clock, sealer: Sealer, audit: AuditLog):
        self.data = data
        self.now = clock
        self.sealer = sealer
        self.audit = audit

    def open(
        self, kind: str, subject_id: str, summary: str, *, channel: str, conversation_id: Optional[str] = None
    ) -> Ticket:
        if kind not in KINDS:
            raise InvalidInput(f"Unknown ticket kind {kind!r}.")
        ticket_id, now = f"T-{secrets.token_hex(3).upper()}", self.now()
        with self.data.begin() as db:
            db.execute(
                insert(tickets).values(
                    id=ticket_id,
                    kind=kind,
                    status="open",
                    subject_id=subject_id,
                    conversation_id=conversation_id,
                    channel=channel,
                    emergency=False,
                    created_at=now,
                    summary=self.sealer.seal(subject_id, "tickets", "summary", ticket_id, summary),
                )
            )
        self.audit.append("system", "ticket.open", subject_id, kind, {"ticket": ticket_id})
        return self.get(ticket_id)

    def get(self, ticket_id: str) -> Ticket:
        with self.data.connect() as db:
            row = db.execute(select(tickets).where(tickets.c.id == ticket_id)).first()
        if row is None:
            raise NotFound(f"No ticket {ticket_id}.")
        return self._ticket(row)

    def _ticket(self, row) -> Ticket:
        return Ticket(
            row.id,
            row.kind,
            row.status,
            row.subject_id,
            row.conversation_id,
            row.channel,
            self.sealer.open(row.summary, "tickets", "summary", row.id),
            row.emergency,
            as_utc(row.created_at),
            row.claimed_by,
        )

    def open_handoff(self, conversation_id: str) -> Optional[Ticket]:
        """The conversation's handoff that staff have not closed yet, if any."""
        with self.data.connect() as db:
            row = db.execute(
                select(tickets)
                .where(
                    tickets.c.conversation_id == conversation_id,
                    tickets.c.kind == "handoff",
                    tickets.c.status.in_(OPEN_STATUSES),
                )
                .order_by(tickets.c.created_at.desc())
                .limit(1)
            ).first()
        return self._ticket(row) if row else None

    def flag_emergency(self, ticket_id: str) -> None:
        """Mark a ticket whose patient sent an emergency message while waiting."""
        with self.data.begin() as db:
            db.execute(update(tickets).where(tickets.c.id == ticket_id).values(emergency=True))
        self.audit.append("system", "ticket.emergency", None, "emergency while waiting", {"ticket": ticket_id})

    def handoff_queue(self, staff: str) -> list[Ticket]:
        """Handoffs waiting for staff: unclaimed ones and those `staff` claimed, those whose patient sent
        an emergency message first, then oldest first. A patient who asked for deletion (a request
        open, or carried out) is not shown."""
        asked_deletion = select(rights_requests.c.subject_id).where(
            rights_requests.c.kind == "deletion", rights_requests.c.status.in_(OPEN_REQUESTS)
        )
        with self.data.connect() as db:
            rows = db.execute(
                select(tickets)
                .join(subjects, subjects.c.id == tickets.c.subject_id)
                .where(
                    tickets.c.kind == "handoff",
                    subjects.c.erased_at.is_(None),
                    subjects.c.restricted_until.is_(None),
                    tickets.c.subject_id.not_in(asked_deletion),
                    (tickets.c.status == "open") | ((tickets.c.status == "claimed") & (tickets.c.claimed_by == staff)),
                )
                .order_by(tickets.c.emergency.desc(), tickets.c.created_at)
            ).all()
        return [self._ticket(r) for r in rows]

    def claim(self, ticket_id: str, staff: str) -> bool:
        """Take an open handoff; False when someone else took it first."""
        with self.data.begin() as db:
            taken = (
                db.execute(
                    update(tickets)
                    .where(tickets.c.id == ticket_id, tickets.c.status == "open")
                    .values(status="claimed", claimed_by=staff, claimed_at=self.now())
                ).rowcount
                == 1
            )
        if taken:
            self.audit.append(staff, "ticket.claim", None, "handoff claimed", {"ticket": ticket_id})
        return taken

    def close(self, ticket_id: str, staff: str, outcome: str) -> None:
        """End a claimed handoff: "resumed" (back to the assistant) or "closed"."""
        with self.data.begin() as db:
            db.execute(update(tickets).where(tickets.c.id == ticket_id).values(status=outcome, closed_at=self.now()))
        self.audit.append(staff, f"ticket.{outcome}", None, "handoff ended", {"ticket": ticket_id})

    def of_subject(self, subject_id: str) -> list[Ticket]:
        with self.data.connect() as db:
            rows = db.execute(
                select(tickets).where(tickets.c.subject_id == subject_id).order_by(tickets.c.created_at)
            ).all()
        return [self._ticket(r) for r in rows]
