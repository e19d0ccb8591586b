"""The clinic's reference data: providers and their hours, closed days, billing answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Optional

from sqlalchemy import select
from sqlalchemy.engine import Engine

from privacy.store.schema import billing_info, closures, provider_hours, providers

TIME_ZONE = "America/Chicago"
OFFICE = "the Healthtigo office, 6136 Frisco Square Blvd, Frisco, TX, 75034"


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    specialty: str
    visit_types: tuple[str, ...]
    sees_children: bool
    hours: tuple[tuple[int, int, int], ...]  # (weekday, start minute, end minute), clinic time


class Clinic:
    """Read-only; loaded once per process (a change to it is a migration and a restart)."""

    def __init__(self, data: Engine):
        self.data = data

    @cached_property
    def providers(self) -> tuple[Provider, ...]:
        with self.data.connect() as db:
            hours = db.execute(
                select(provider_hours).order_by(provider_hours.c.weekday, provider_hours.c.start_minute)
            ).all()
            rows = db.execute(select(providers).order_by(providers.c.id)).all()
        return tuple(
            Provider(
                r.id,
                r.name,
                r.specialty,
                tuple(r.visit_types.split(",")),
                r.sees_children,
                tuple((h.weekday, h.start_minute, h.end_minute) for h in hours if h.provider_id == r.id),
            )
            for r in rows
        )

    def provider(self, provider_id: str) -> Optional[Provider]:
        return next((p for p in self.providers if p.id == provider_id), None)

    @cached_property
    def closures(self) -> dict[date, str]:
        with self.data.connect() as db:
            return {r.day: r.reason for r in db.execute(select(closures))}

    @cached_property
    def billing(self) -> dict[str, str]:
        with self.data.connect() as db:
            return {r.topic: r.answer for r in db.execute(select(billing_info))}
