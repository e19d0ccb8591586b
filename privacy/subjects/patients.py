"""Patients: personal data encrypted per field, found through blind indexes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Optional

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from privacy.clock import Clock
from privacy.compliance.audit import AuditLog
from privacy.crypto.indexer import Indexer
from privacy.crypto.keystore import CONTACT, MAIN
from privacy.crypto.sealing import Sealer
from privacy.errors import InvalidInput, NotFound
from privacy.store.schema import patients
from privacy.subjects import contact
from privacy.subjects.subjects import Subjects

FIELDS = ("name", "birth_date", "phone", "email", "address")
# Contact details have their own key: they can be erased while the medical record must be kept.
CONTACT_FIELDS = ("phone", "email", "address")


@dataclass(frozen=True)
class Patient:
    id: str
    subject_id: str
    name: str
    birth_date: date
    phone: Optional[str]
    email: Optional[str]
    address: Optional[str]


class Patients:
    def __init__(
        self, data: Engine, clock: Clock, indexer: Indexer, sealer: Sealer, audit: AuditLog, subjects: Subjects
    ):
        self.data = data
        self.now = clock
        self.indexer = indexer
        self.sealer = sealer
        self.audit = audit
        self.subjects = subjects

    def _normalized(
        self, name: str, birth_date: date, phone: Optional[str], email: Optional[str], address: Optional[str]
    ) -> dict[str, Optional[str]]:
        if not isinstance(birth_date, date) or birth_date > self.now().date():
            raise InvalidInput("Please give a date of birth in the past.")
        return {
            "name": contact.name(name),
            "birth_date": birth_date.isoformat(),
            "phone": contact.phone(phone) if phone else None,
            "email": contact.email(email) if email else None,
            "address": address.strip() if address else None,
        }

    def _indexes(self, values: dict[str, Optional[str]]) -> dict[str, Optional[str]]:
        digest = self.indexer.digest
        return {
            "phone_index": digest("phone", values["phone"]) if values["phone"] else None,
            "email_index": digest("email", values["email"]) if values["email"] else None,
            "name_birth_index": digest(
                "name+birth", contact.name_birth_key(values["name"], date.fromisoformat(values["birth_date"]))
            ),
        }

    def _sealed(self, subject_id: str, patient_id: str, values: dict[str, Optional[str]]) -> dict[str, Optional[bytes]]:
        seal = self.sealer.seal
        return {
            f: seal(subject_id, "patients", f, patient_id, v, CONTACT if f in CONTACT_FIELDS else MAIN)
            if v is not None
            else None
            for f, v in values.items()
        }

    def register(
        self,
        name: str,
        birth_date: date,
        phone: Optional[str] = None,
        email: Optional[str] = None,
        address: Optional[str] = None,
        *,
        actor: str,
        reason: str,
    ) -> Patient:
        """Store a new patient; every personal field is encrypted with the patient's own key."""
        values = self._normalized(name, birth_date, phone, email, address)
        subject_id = self.subjects.create("patient")
        patient_id = f"p_{uuid.uuid4().hex}"
        now = self.now()
        with self.data.begin() as db:
            db.execute(
                insert(patients).values(
                    id=patient_id,
                    subject_id=subject_id,
                    created_at=now,
                    updated_at=now,
                    **self._sealed(subject_id, patient_id, values),
                    **self._indexes(values),
                )
            )
        self.audit.append(actor, "patient.register", subject_id, reason)
        return self._patient(patient_id, subject_id, values)

    def get(self, patient_id: str, *, actor: str, reason: str) -> Patient:
        """Decrypt a patient's record; the read is audited."""
        with self.data.connect() as db:
            row = db.execute(select(patients).where(patients.c.id == patient_id)).first()
        if row is None:
            raise NotFound(f"No patient {patient_id}.")
        self.subjects.check_use(row.subject_id, actor)
        values = {
            f: self.sealer.open(row._mapping[f], "patients", f, patient_id) if row._mapping[f] is not None else None
            for f in FIELDS
        }
        self.audit.append(actor, "patient.read", row.subject_id, reason)
        return self._patient(patient_id, row.subject_id, values)

    def update(self, patient_id: str, *, actor: str, reason: str, **changes: Optional[str]) -> Patient:
        """Change some fields (name, birth_date, phone, email, address); the change is audited."""
        unknown = set(changes) - set(FIELDS)
        if unknown:
            raise InvalidInput(f"Unknown field(s): {', '.join(sorted(unknown))}.")
        current = self.get(patient_id, actor=actor, reason=reason)
        merged = {f: getattr(current, f) for f in FIELDS} | changes
        birth = merged["birth_date"]
        if isinstance(birth, str):
            try:
                birth = date.fromisoformat(birth)
            except ValueError:
                raise InvalidInput("Please give the date of birth as YYYY-MM-DD.") from None
        values = self._normalized(merged["name"], birth, merged["phone"], merged["email"], merged["address"])
        with self.data.begin() as db:
            db.execute(
                update(patients)
                .where(patients.c.id == patient_id)
                .values(
                    updated_at=self.now(),
                    **self._sealed(current.subject_id, patient_id, values),
                    **self._indexes(values),
                )
            )
        self.audit.append(actor, "patient.update", current.subject_id, reason, {"fields": sorted(changes)})
        return self._patient(patient_id, current.subject_id, values)

    def find_subject(self, **lookup) -> Optional[str]:
        """Like `find`, but the patient's subject id."""
        patient_id = self.find(**lookup)
        if patient_id is None:
            return None
        with self.data.connect() as db:
            return db.execute(select(patients.c.subject_id).where(patients.c.id == patient_id)).scalar()

    def patient_id(self, subject_id: str) -> str:
        """The id of the subject's patient record; NotFound when the subject is no patient."""
        with self.data.connect() as db:
            row = db.execute(select(patients.c.id).where(patients.c.subject_id == subject_id)).first()
        if row is None:
            raise NotFound("There is no patient record for this person.")
        return row[0]

    def contact_kinds(self, subject_id: str) -> list[str]:
        """Which contacts are on file ("sms" for a phone, "email"), without reading them."""
        with self.data.connect() as db:
            row = db.execute(
                select(patients.c.phone, patients.c.email).where(patients.c.subject_id == subject_id)
            ).first()
        return [kind for kind, value in (("sms", row.phone), ("email", row.email)) if row and value is not None]

    def contact(self, subject_id: str, kind: str, *, reason: str) -> Optional[str]:
        """The patient's phone ("sms") or e-mail ("email") on file, to send them a message (audited)."""
        column = {"sms": "phone", "email": "email"}[kind]
        with self.data.connect() as db:
            row = db.execute(
                select(patients.c.id, patients.c[column]).where(patients.c.subject_id == subject_id)
            ).first()
        if row is None or row[1] is None:
            return None
        self.audit.append("system", "patient.read_contact", subject_id, reason, {"field": column})
        return self.sealer.open(row[1], "patients", column, row.id)

    def find(
        self,
        *,
        phone: Optional[str] = None,
        email: Optional[str] = None,
        name: Optional[str] = None,
        birth_date: Optional[date] = None,
    ) -> Optional[str]:
        """The id of the patient with this phone, e-mail, or name + date of birth; None if there is none."""
        digest = self.indexer.digest
        if phone:
            condition = patients.c.phone_index == digest("phone", contact.phone(phone))
        elif email:
            condition = patients.c.email_index == digest("email", contact.email(email))
        elif name and birth_date:
            condition = patients.c.name_birth_index == digest("name+birth", contact.name_birth_key(name, birth_date))
        else:
            raise InvalidInput("Find a patient by phone, by e-mail, or by name and date of birth.")
        with self.data.connect() as db:
            row = db.execute(select(patients.c.id).where(condition).limit(1)).first()
        return row[0] if row else None

    @staticmethod
    def _patient(patient_id: str, subject_id: str, values: dict[str, Optional[str]]) -> Patient:
        return Patient(
            patient_id,
            subject_id,
            values["name"],
            date.fromisoformat(values["birth_date"]),
            values["phone"],
            values["email"],
            values["address"],
        )
