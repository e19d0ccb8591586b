"""The consent ledger: append-only entries per subject and purpose; the current state is
the latest entry, and a purpose never granted is off.

Purposes (the data policy's uses that need a choice):
  care                 storing and using health data for the patient's care (explicit, before intake)
  sms                  text messages that are not a direct answer (confirmations, reminders)
  marketing            promotions; off until granted, opt-out at any time
  analytics            analysis of usage to improve the service; off until granted
  research             anonymized research data; off until granted
  third_party_sharing  sharing with third parties beyond care and bound service providers

A patient under 18 cannot consent alone: a parent or guardian recorded as their
representative acts, and the ledger names who acted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from privacy.clock import Clock
from privacy.compliance.audit import AuditLog
from privacy.crypto.sealing import Sealer
from privacy.errors import InvalidInput, VaultError
from privacy.store.schema import consent_ledger, patients, representatives

PURPOSES = ("care", "sms", "marketing", "analytics", "research", "third_party_sharing")
CHANNELS = ("web", "sms", "staff")
POLICY_VERSION = "how-we-use-customer-data/1"
ADULT_AGE = 18


class ConsentRequired(VaultError):
    """An action needs a consent the subject has not given (or has withdrawn)."""


@dataclass(frozen=True)
class Entry:
    purpose: str
    granted: bool
    policy_version: str
    channel: str
    wording: str
    acted_by: str
    at: datetime


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class Consent:
    def __init__(self, data: Engine, clock: Clock, sealer: Sealer, audit: AuditLog):
        self.data = data
        self.now = clock
        self.sealer = sealer
        self.audit = audit

    def grant(
        self, subject_id: str, purpose: str, *, channel: str, wording: str, acted_by: Optional[str] = None
    ) -> Entry:
        """Record that consent was given, in the words shown."""
        return self._record(subject_id, purpose, True, channel, wording, acted_by)

    def withdraw(
        self, subject_id: str, purpose: str, *, channel: str, wording: str, acted_by: Optional[str] = None
    ) -> Entry:
        """Record that consent was withdrawn; it takes effect at once."""
        return self._record(subject_id, purpose, False, channel, wording, acted_by)

    def _record(
        self, subject_id: str, purpose: str, granted: bool, channel: str, wording: str, acted_by: Optional[str]
    ) -> Entry:
        if purpose not in PURPOSES:
            raise InvalidInput(f"Unknown purpose {purpose!r}; one of {', '.join(PURPOSES)}.")
        if channel not in CHANNELS:
            raise InvalidInput(f"Unknown channel {channel!r}; one of {', '.join(CHANNELS)}.")
        if not wording.strip():
            raise InvalidInput("Record the exact wording the patient was shown.")
        actor = self.acting_party(subject_id, acted_by)
        entry = Entry(purpose, granted, POLICY_VERSION, channel, wording, actor, self.now())
        with self.data.begin() as db:
            db.execute(insert(consent_ledger).values(subject_id=subject_id, **entry.__dict__))
        self.audit.append(
            actor,
            "consent.grant" if granted else "consent.withdraw",
            subject_id,
            f"{purpose} via {channel}",
            {"purpose": purpose},
        )
        return entry

    def acting_party(self, subject_id: str, acted_by: Optional[str]) -> str:
        """Who acts: the subject, a staff member, or for a minor their recorded representative."""
        if acted_by and acted_by.startswith("staff:"):
            return acted_by
        if self.is_minor(subject_id):
            if not acted_by or acted_by not in self.representatives_of(subject_id):
                raise ConsentRequired(
                    "A patient under 18 cannot consent alone: a parent or guardian recorded as their "
                    "representative must act for them."
                )
            return f"representative:{acted_by}"
        if acted_by and acted_by != subject_id:
            raise InvalidInput("Only the patient, their representative if they are a minor, or staff can act.")
        return "self"

    def is_minor(self, subject_id: str) -> bool:
        with self.data.connect() as db:
            row = db.execute(
                select(patients.c.id, patients.c.birth_date).where(patients.c.subject_id == subject_id)
            ).first()
        if row is None:
            return False  # a conversation not yet linked to a patient: age unknown
        birth = date.fromisoformat(self.sealer.open(row.birth_date, "patients", "birth_date", row.id))
        return age_on(birth, self.now().date()) < ADULT_AGE

    def add_representative(
        self, subject_id: str, representative_id: str, relationship: str, *, recorded_by: str
    ) -> None:
        """Record a parent or guardian who acts for the patient."""
        if relationship not in ("parent", "guardian"):
            raise InvalidInput("A representative is a parent or a guardian.")
        with self.data.begin() as db:
            db.execute(
                insert(representatives).values(
                    subject_id=subject_id,
                    representative_id=representative_id,
                    relationship=relationship,
                    recorded_by=recorded_by,
                    at=self.now(),
                )
            )
        self.audit.append(
            recorded_by, "representative.add", subject_id, relationship, {"representative": representative_id}
        )

    def representatives_of(self, subject_id: str) -> set[str]:
        with self.data.connect() as db:
            return {
                r[0]
                for r in db.execute(
                    select(representatives.c.representative_id).where(representatives.c.subject_id == subject_id)
                )
            }

    def history(self, subject_id: str) -> list[Entry]:
        """Every entry of the subject's ledger, oldest first."""
        with self.data.connect() as db:
            rows = db.execute(
                select(consent_ledger).where(consent_ledger.c.subject_id == subject_id).order_by(consent_ledger.c.id)
            ).all()
        return [Entry(r.purpose, r.granted, r.policy_version, r.channel, r.wording, r.acted_by, r.at) for r in rows]

    def state(self, subject_id: str) -> dict[str, bool]:
        """The current consent per purpose: the latest entry, or off when there is none."""
        current = {purpose: False for purpose in PURPOSES}
        for entry in self.history(subject_id):
            current[entry.purpose] = entry.granted
        return current

    def latest(self, subject_id: str, purpose: str) -> Optional[bool]:
        """The latest decision for `purpose`: granted (True), withdrawn (False), or None if never asked."""
        if purpose not in PURPOSES:
            raise InvalidInput(f"Unknown purpose {purpose!r}.")
        with self.data.connect() as db:
            return db.execute(
                select(consent_ledger.c.granted)
                .where(consent_ledger.c.subject_id == subject_id, consent_ledger.c.purpose == purpose)
                .order_by(consent_ledger.c.id.desc())
                .limit(1)
            ).scalar()

    def allows(self, subject_id: str, purpose: str) -> bool:
        """Whether the subject's consent allows `purpose` now."""
        return bool(self.latest(subject_id, purpose))

    def require(self, subject_id: str, purpose: str, *, action: str, actor: str = "system") -> None:
        """Refuse `action` unless consent allows `purpose`; a refusal is audited (and so counted)."""
        if not self.allows(subject_id, purpose):
            self.audit.append(actor, "consent.refused", subject_id, action, {"purpose": purpose})
            raise ConsentRequired(f"{action} needs {purpose} consent, which has not been given.")

    def refusals(self, subject_id: Optional[str] = None) -> int:
        """How many actions consent refused (from the audit trail)."""
        return self.audit.count("consent.refused", subject_id)
