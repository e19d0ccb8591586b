"""What is held about a patient: every record, decrypted (each read audited), and the readable
summary an access request gets (categories, sources, purposes, sharing, retention)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from privacy.compliance.audit import AuditLog
from privacy.compliance.consent import Consent, Entry
from privacy.compliance.disclosures import Disclosure, Disclosures
from privacy.compliance.retention import RULES
from privacy.store.schema import appointments, subjects
from privacy.subjects.conversations import Conversations
from privacy.subjects.patients import FIELDS, Patient, Patients
from privacy.subjects.records import Record, Records


@dataclass(frozen=True)
class Held:
    """Everything held about one patient."""

    patient: Patient
    records: list[Record]
    appointments: list[dict[str, Any]]
    consent_history: list[Entry]
    transcript: list[dict[str, Any]]
    disclosures: list[Disclosure]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class HeldData:
    def __init__(
        self,
        data: Engine,
        audit: AuditLog,
        patients: Patients,
        records: Records,
        consent: Consent,
        conversations: Conversations,
        disclosures: Disclosures,
    ):
        self.data = data
        self.audit = audit
        self.patients = patients
        self.records = records
        self.consent = consent
        self.conversations = conversations
        self.disclosures = disclosures

    def collect(self, subject_id: str, *, actor: str) -> Held:
        """Every record held about the subject, decrypted (the reads are audited)."""
        patient_id = self.patients.patient_id(subject_id)
        patient = self.patients.get(patient_id, actor=actor, reason="data-subject request")
        with self.data.connect() as db:
            visits = [
                dict(r._mapping)
                for r in db.execute(
                    select(
                        appointments.c.id,
                        appointments.c.starts_at,
                        appointments.c.provider,
                        appointments.c.visit_type,
                        appointments.c.status,
                    ).where(appointments.c.subject_id == subject_id)
                )
            ]
            linked = [r[0] for r in db.execute(select(subjects.c.id).where(subjects.c.linked_to == subject_id))]
        return Held(
            patient,
            self.records.list(subject_id, actor=actor, reason="data-subject request"),
            visits,
            self.consent.history(subject_id),
            self.conversations.transcript(linked),
            self.disclosures.of(subject_id),
        )

    def summary(self, subject_id: str, held: Held) -> dict[str, Any]:
        """What is held about the subject, readably: categories, sources, purposes, sharing, retention."""
        consent = self.consent.state(subject_id)
        sources = {
            "patient.register": "registration",
            "record.write": "health information given",
            "patient.update": "corrections",
        }
        return {
            "categories": {
                "personal information": [f for f in FIELDS if getattr(held.patient, f)],
                "health information": sorted({r.category for r in held.records}),
                "appointments": len(held.appointments),
                "conversation messages": len(held.transcript),
            },
            "sources": sorted(
                {
                    f"{what} ({_who(entry['actor'])})"
                    for entry in self.audit.entries(subject_id, 500)
                    for action, what in sources.items()
                    if entry["action"] == action
                }
            ),
            "purposes": [
                "your care: scheduling appointments, managing medical records, tailored health guidance",
                "support and service updates",
            ]
            + [f"{purpose}, with your consent" for purpose, given in consent.items() if given and purpose != "care"],
            "consent": consent,
            "shared_with": [asdict(d) for d in held.disclosures],
            "retention": [asdict(rule) for rule in RULES],
        }


def _who(actor: str) -> str:
    if actor.startswith("staff:"):
        return "Healthtigo staff"
    return {"self": "you", "patient": "you", "system": "the assistant"}.get(actor, actor.split(":")[0])
