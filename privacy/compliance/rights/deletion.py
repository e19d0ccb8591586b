"""Deletion: everything is erased; or, while the law keeps the medical records (retention, a
legal hold), everything else is erased and the records are restricted: used for nothing else."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from privacy.clock import Clock
from privacy.compliance import erasure
from privacy.compliance.audit import AuditLog
from privacy.compliance.retention import MEDICAL_RULE, Retention
from privacy.compliance.rights.requests import Request, Requests, Result, Status
from privacy.crypto.keystore import CONTACT, KeyStore
from privacy.store.schema import patients, subjects
from privacy.subjects.patients import CONTACT_FIELDS
from privacy.subjects.subjects import Subjects


class Deletion:
    def __init__(
        self,
        data: Engine,
        clock: Clock,
        keystore: KeyStore,
        audit: AuditLog,
        requests: Requests,
        subjects: Subjects,
        retention: Retention,
    ):
        self.data = data
        self.now = clock
        self.keystore = keystore
        self.audit = audit
        self.requests = requests
        self.subjects = subjects
        self.retention = retention

    def carry_out(self, request: Request, actor: str) -> Result:
        subject_id, retention = request.subject_id, self.retention
        hold_until, legal_hold = retention.medical_hold_until(subject_id), retention.held(subject_id)
        if hold_until is None and not legal_hold:
            self.subjects.erase(subject_id, actor=actor, reason=f"deletion request {request.id}")
            request = self.requests.move(request, Status.COMPLETED, actor, "all data erased")
            return Result(self.requests.close(request, {"erased": "everything"}))
        self._erase_all_but_medical_records(subject_id, actor, request.id)
        now = self.now()
        until = hold_until if hold_until and not legal_hold else None
        rule = (
            MEDICAL_RULE
            if not legal_hold
            else "a legal hold (an investigation or legal claim) that forbids erasure until it is released"
        )
        with self.data.begin() as db:
            db.execute(
                update(subjects)
                .where(subjects.c.id == subject_id)
                .values(restricted_until=until or now, restriction_rule=rule[:120])
            )
        outcome = {
            "erased": "contact details, conversation transcripts, messages and codes",
            "kept": "medical records (health records, appointments, name and date of birth), restricted: "
            "used for nothing else",
            "rule": rule,
            "until": until.date().isoformat() if until else "until the legal hold is released",
        }
        request = self.requests.move(
            request,
            Status.PARTIALLY_COMPLETED,
            actor,
            f"kept medical records under {rule[:60]}... until {outcome['until']}",
        )
        return Result(self.requests.close(request, outcome))

    def _erase_all_but_medical_records(self, subject_id: str, actor: str, request_id: str) -> None:
        with self.data.connect() as db:
            linked = [r[0] for r in db.execute(select(subjects.c.id).where(subjects.c.linked_to == subject_id))]
        destroyed = self.keystore.destroy([subject_id], scopes=(CONTACT,))
        if linked:
            destroyed += self.keystore.destroy(linked)
            self.subjects.delete_rows(linked)
        with self.data.begin() as db:
            db.execute(
                update(patients)
                .where(patients.c.subject_id == subject_id)
                .values(**{field: None for field in CONTACT_FIELDS}, phone_index=None, email_index=None)
            )
            erasure.delete_rows_under_hold(db, subject_id)
        self.audit.append(
            actor,
            "subject.erase_partly",
            subject_id,
            f"deletion request {request_id}",
            {"keys_destroyed": destroyed, "conversations": len(linked)},
        )
