"""Accounting of disclosures: every share of a patient's data with someone outside.

A share needs a basis: the patient's care (treating providers), a bound service
provider, the law, or the patient's consent to third-party sharing, which is
checked. Every share shows up in the patient's access request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from privacy.clock import Clock
from privacy.compliance.audit import AuditLog
from privacy.compliance.consent import Consent
from privacy.errors import InvalidInput
from privacy.store.schema import disclosures

BASES = ("treatment", "service_provider", "law", "consent")


@dataclass(frozen=True)
class Disclosure:
    recipient: str
    basis: str
    purpose: str
    categories: str
    at: datetime


class Disclosures:
    def __init__(self, data: Engine, clock: Clock, audit: AuditLog, consent: Consent):
        self.data = data
        self.now = clock
        self.audit = audit
        self.consent = consent

    def record(self, subject_id: str, recipient: str, basis: str, purpose: str, categories: str, *, actor: str) -> None:
        """Record a share; a share on the basis of consent is refused without it."""
        if basis not in BASES:
            raise InvalidInput(f"A disclosure needs a basis: one of {', '.join(BASES)}.")
        if basis == "consent":
            self.consent.require(subject_id, "third_party_sharing", action=f"share with {recipient}", actor=actor)
        with self.data.begin() as db:
            db.execute(
                insert(disclosures).values(
                    subject_id=subject_id,
                    recipient=recipient,
                    basis=basis,
                    purpose=purpose,
                    categories=categories,
                    actor=actor,
                    at=self.now(),
                )
            )
        self.audit.append(actor, "disclosure", subject_id, purpose, {"recipient": recipient, "basis": basis})

    def of(self, subject_id: str) -> list[Disclosure]:
        with self.data.connect() as db:
            rows = db.execute(
                select(disclosures).where(disclosures.c.subject_id == subject_id).order_by(disclosures.c.at)
            ).all()
        return [Disclosure(r.recipient, r.basis, r.purpose, r.categories, r.at) for r in rows]
