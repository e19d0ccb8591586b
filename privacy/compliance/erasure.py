"""What erasing a subject deletes, and what it keeps and why: defined here once.

`Subjects.erase` deletes every row of ERASED for the subject (and destroys its keys, so that
copies made before stay unreadable); a deletion request under a legal hold on medical records
deletes only ERASED_UNDER_HOLD outright and the contact details. tests/unit/test_erasure.py fails
when a table that names a subject is in neither ERASED nor KEPT.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from privacy.store.schema import (
    appointments,
    conversation_events,
    conversations,
    corrections,
    exports,
    health_records,
    one_time_codes,
    outbox,
    patients,
    sms_senders,
    subjects,
    tickets,
)

# Deleted with the subject (conversation_events with their conversations).
ERASED = (
    tickets,
    conversations,
    health_records,
    appointments,
    patients,
    exports,
    outbox,
    one_time_codes,
    corrections,
    sms_senders,
)
# Deleted outright by a deletion request whose medical records the law makes us keep.
ERASED_UNDER_HOLD = (outbox, one_time_codes)
# Tables that name a subject and are kept when it is erased, with the reason.
KEPT = {
    "subjects": "the subject's id and when it was erased, so that nothing is written for it again",
    "audit_log": "the audit chain stays whole: who did what, under which reason (names no plaintext datum)",
    "consent_ledger": "proof of what was consented to and withdrawn, and when",
    "rights_requests": "the request and its outcome, the proof that the right was honoured",
    "representatives": "the authority under which a representative made those requests",
    "disclosures": "the accounting of disclosures the law requires (HIPAA: six years)",
    "legal_holds": "the holds that block deletion, and who placed and lifted them",
    "staff_accounts": "a staff member's own account, removed with the account, not with a patient",
    "data_keys": "destroyed by the key store instead (privacy/crypto/keystore.py): crypto-shredding",
    "erased_keys": "the tombstone of each destroyed key: proof that it is gone",
}


def delete_rows(db: Connection, subject_ids: list[str], now: datetime) -> int:
    """Delete the subjects' rows of ERASED and mark them erased; returns the rows deleted."""
    conversation_ids = select(conversations.c.id).where(conversations.c.subject_id.in_(subject_ids))
    deleted = db.execute(
        delete(conversation_events).where(conversation_events.c.conversation_id.in_(conversation_ids))
    ).rowcount
    for table in ERASED:
        deleted += db.execute(delete(table).where(table.c.subject_id.in_(subject_ids))).rowcount
    db.execute(
        update(subjects).where(subjects.c.id.in_(subject_ids), subjects.c.erased_at.is_(None)).values(erased_at=now)
    )
    return deleted


def delete_rows_under_hold(db: Connection, subject_id: str) -> None:
    """Delete what a deletion request removes outright when medical records must be kept."""
    for table in ERASED_UNDER_HOLD:
        db.execute(delete(table).where(table.c.subject_id == subject_id))
