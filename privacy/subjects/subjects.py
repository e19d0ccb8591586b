"""Data subjects: patients and not-yet-identified conversations, each with its own key,
and erasure by crypto-shredding."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from privacy.clock import Clock
from privacy.compliance import erasure
from privacy.compliance.audit import AuditLog
from privacy.crypto.keystore import KeyStore
from privacy.errors import InvalidInput, NotFound, Restricted
from privacy.store.schema import subjects

LEGAL_ACTORS = ("legal:", "privacy_officer:", "system")


@dataclass(frozen=True)
class Erasure:
    subjects: list[str]
    keys_destroyed: int
    rows_deleted: int


class Subjects:
    def __init__(self, data: Engine, clock: Clock, keystore: KeyStore, audit: AuditLog):
        self.data = data
        self.now = clock
        self.keystore = keystore
        self.audit = audit

    def create(self, kind: str) -> str:
        """A new subject; returns its pseudonymous id. Its data keys are made when first used."""
        subject_id = f"s_{uuid.uuid4().hex}"
        with self.data.begin() as db:
            db.execute(insert(subjects).values(id=subject_id, kind=kind, created_at=self.now()))
        return subject_id

    def check_use(self, subject_id: str, actor: str) -> None:
        """Refuse to use the data of a subject restricted after a deletion request, except for
        the law (legal:..., the privacy officer, or the system's retention work)."""
        if actor.startswith(LEGAL_ACTORS):
            return
        with self.data.connect() as db:
            restricted = db.execute(
                select(subjects.c.restriction_rule).where(
                    subjects.c.id == subject_id, subjects.c.restricted_until.is_not(None)
                )
            ).first()
        if restricted:
            raise Restricted(
                "This patient asked for deletion; what the law requires us to keep may not be used for anything else."
            )

    def link(self, subject_id: str, patient_subject_id: str, actor: str = "system") -> None:
        """Attach a conversation's subject to the patient it turned out to be."""
        with self.data.begin() as db:
            db.execute(update(subjects).where(subjects.c.id == subject_id).values(linked_to=patient_subject_id))
        self.audit.append(actor, "subject.link", patient_subject_id, "patient identified", {"linked": subject_id})

    def erase(self, subject_id: str, actor: str, reason: str) -> Erasure:
        """Destroy the keys of the subject and of every subject linked to it, and delete their rows.

        Copies made before (backups, stray files) stay unreadable: their keys are gone.
        """
        with self.data.connect() as db:
            row = db.execute(select(subjects.c.erased_at).where(subjects.c.id == subject_id)).first()
            if row is None:
                raise NotFound(f"No subject {subject_id}.")
            if row[0] is not None:
                raise InvalidInput(f"Subject {subject_id} was already erased on {row[0]:%Y-%m-%d}.")
            linked = [r[0] for r in db.execute(select(subjects.c.id).where(subjects.c.linked_to == subject_id))]
        everyone = [subject_id, *linked]
        destroyed = self.keystore.destroy(everyone)
        deleted = self.delete_rows(everyone)
        self.audit.append(
            actor,
            "subject.erase",
            subject_id,
            reason,
            {"linked_subjects": len(linked), "keys_destroyed": destroyed, "rows_deleted": deleted},
        )
        return Erasure(everyone, destroyed, deleted)

    def delete_rows(self, subject_ids: list[str]) -> int:
        """Delete the rows of these subjects and mark them erased (privacy/compliance/erasure.py says which)."""
        with self.data.begin() as db:
            return erasure.delete_rows(db, subject_ids, self.now())
