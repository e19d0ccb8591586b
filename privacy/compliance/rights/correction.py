"""Correction: a patient's field is corrected, a medical record amended (never overwritten);
the old and the new value are both kept, sealed."""

from __future__ import annotations

import uuid

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from privacy.clock import Clock
from privacy.compliance.rights.requests import Request, Requests, Result, Status
from privacy.crypto.keystore import CONTACT
from privacy.crypto.sealing import Sealer
from privacy.errors import NotFound
from privacy.store.schema import corrections
from privacy.subjects.patients import CONTACT_FIELDS, Patients
from privacy.subjects.records import Records


class Correction:
    def __init__(
        self, data: Engine, clock: Clock, sealer: Sealer, requests: Requests, patients: Patients, records: Records
    ):
        self.data = data
        self.now = clock
        self.sealer = sealer
        self.requests = requests
        self.patients = patients
        self.records = records

    def carry_out(self, request: Request, actor: str) -> Result:
        details, subject_id, now = request.details, request.subject_id, self.now()
        if "record_id" in details:  # a medical record is amended, never overwritten
            old = next(
                (
                    r
                    for r in self.records.list(subject_id, actor=actor, reason=f"request {request.id}")
                    if r.id == details["record_id"]
                ),
                None,
            )
            if old is None:
                raise NotFound("That record is not this patient's.")
            new_id = self.records.put(
                subject_id,
                old.category,
                details["value"],
                actor=actor,
                reason=f"amendment, request {request.id}",
                amends=old.id,
            )
            target, old_value, scope, note = f"health_records:{old.id}", old.value, "main", f"amended by {new_id}"
        else:
            field = details["field"]
            patient_id = self.patients.patient_id(subject_id)
            current = self.patients.get(patient_id, actor=actor, reason=f"request {request.id}")
            old_value = getattr(current, field)
            self.patients.update(patient_id, actor=actor, reason=f"request {request.id}", **{field: details["value"]})
            target, scope, note = (
                f"patients:{field}",
                CONTACT if field in CONTACT_FIELDS else "main",
                f"{field} corrected",
            )
        seal, row_id = self.sealer.seal, f"k_{uuid.uuid4().hex}"
        with self.data.begin() as db:
            db.execute(
                insert(corrections).values(
                    id=row_id,
                    subject_id=subject_id,
                    request_id=request.id,
                    target=target,
                    actor=actor,
                    at=now,
                    old_value=seal(subject_id, "corrections", "old_value", row_id, str(old_value or ""), scope),
                    new_value=seal(subject_id, "corrections", "new_value", row_id, details["value"], scope),
                )
            )
        request = self.requests.move(request, Status.COMPLETED, actor, note)
        return Result(self.requests.close(request, {"corrected": target}))
