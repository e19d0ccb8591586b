"""Appointments: booked, moved and cancelled; one patient per provider's slot (a database constraint)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Optional

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from privacy.clinic.reference import Clinic
from privacy.clock import Clock, as_utc, to_utc
from privacy.compliance.audit import AuditLog
from privacy.errors import InvalidInput, NotFound, VaultError
from privacy.store.schema import appointments

VISIT_TYPES = ("in_person", "video", "phone")


class SlotTaken(VaultError):
    """Someone else has just booked that time."""


@dataclass(frozen=True)
class Appointment:
    id: str
    provider_id: str
    starts_at: datetime
    visit_type: str
    status: str


def _appointment(row) -> Appointment:
    return Appointment(row.id, row.provider, as_utc(row.starts_at), row.visit_type, row.status)


class Appointments:
    def __init__(self, data: Engine, clock: Clock, audit: AuditLog, clinic: Clinic):
        self.data = data
        self.now = clock
        self.audit = audit
        self.clinic = clinic

    def _check(self, provider_id: str, visit_type: str) -> None:
        provider = self.clinic.provider(provider_id)
        if provider is None:
            raise InvalidInput(f"No provider {provider_id}.")
        if visit_type not in provider.visit_types:
            raise InvalidInput(f"{provider.name} does not offer {visit_type.replace('_', ' ')} visits.")

    def book(
        self, subject_id: str, provider_id: str, starts_at: datetime, visit_type: str, *, actor: str
    ) -> Appointment:
        """Book a slot; raises SlotTaken if someone holds it already."""
        self._check(provider_id, visit_type)
        appointment_id = f"a_{uuid.uuid4().hex}"
        try:
            with self.data.begin() as db:
                db.execute(
                    insert(appointments).values(
                        id=appointment_id,
                        subject_id=subject_id,
                        starts_at=to_utc(starts_at),
                        provider=provider_id,
                        visit_type=visit_type,
                        status="booked",
                        created_at=self.now(),
                    )
                )
        except IntegrityError:
            raise SlotTaken("That time was just taken.") from None
        self.audit.append(actor, "appointment.book", subject_id, "booking", {"appointment": appointment_id})
        return Appointment(appointment_id, provider_id, starts_at, visit_type, "booked")

    def _own(self, subject_id: str, appointment_id: str):
        with self.data.connect() as db:
            row = db.execute(
                select(appointments).where(appointments.c.id == appointment_id, appointments.c.subject_id == subject_id)
            ).first()
        if row is None or row.status != "booked":
            raise NotFound("No such upcoming appointment.")
        return row

    def reschedule(
        self,
        subject_id: str,
        appointment_id: str,
        starts_at: datetime,
        *,
        actor: str,
        provider_id: Optional[str] = None,
    ) -> Appointment:
        """Move an appointment (to another provider too); raises SlotTaken if the new time is held."""
        row = self._own(subject_id, appointment_id)
        provider_id = provider_id or row.provider
        self._check(provider_id, row.visit_type)
        try:
            with self.data.begin() as db:
                db.execute(
                    update(appointments)
                    .where(appointments.c.id == appointment_id)
                    .values(starts_at=to_utc(starts_at), provider=provider_id)
                )
        except IntegrityError:
            raise SlotTaken("That time was just taken.") from None
        self.audit.append(actor, "appointment.reschedule", subject_id, "reschedule", {"appointment": appointment_id})
        return Appointment(appointment_id, provider_id, starts_at, row.visit_type, "booked")

    def cancel(self, subject_id: str, appointment_id: str, *, actor: str) -> None:
        self._own(subject_id, appointment_id)
        with self.data.begin() as db:
            db.execute(update(appointments).where(appointments.c.id == appointment_id).values(status="cancelled"))
        self.audit.append(actor, "appointment.cancel", subject_id, "cancellation", {"appointment": appointment_id})

    def upcoming(self, subject_id: str) -> list[Appointment]:
        with self.data.connect() as db:
            rows = db.execute(
                select(appointments)
                .where(
                    appointments.c.subject_id == subject_id,
                    appointments.c.status == "booked",
                    appointments.c.starts_at >= self.now(),
                )
                .order_by(appointments.c.starts_at)
            ).all()
        return [_appointment(r) for r in rows]

    def taken(self, provider_ids: Iterable[str], start: datetime, end: datetime) -> set[tuple[str, datetime]]:
        """(provider, start) of the booked slots in [start, end)."""
        with self.data.connect() as db:
            rows = db.execute(
                select(appointments.c.provider, appointments.c.starts_at).where(
                    appointments.c.provider.in_(list(provider_ids)),
                    appointments.c.status == "booked",
                    appointments.c.starts_at >= to_utc(start),
                    appointments.c.starts_at < to_utc(end),
                )
            ).all()
        return {(provider, as_utc(starts_at)) for provider, starts_at in rows}
