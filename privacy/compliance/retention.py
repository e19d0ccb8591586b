"""How long each kind of data is kept, and the sweep that erases what has expired.

The rules, in one place (category, period, reason):
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Optional

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine

from privacy.clock import Clock, as_utc
from privacy.compliance.audit import AuditLog
from privacy.compliance.consent import age_on
from privacy.compliance.rights.requests import Requests
from privacy.crypto.keystore import KeyStore
from privacy.crypto.sealing import Sealer
from privacy.errors import InvalidInput, NotFound
from privacy.store.schema import (
    appointments,
    audit_log,
    consent_ledger,
    conversations,
    exports,
    health_records,
    legal_holds,
    one_time_codes,
    outbox,
    patients,
    subjects,
)
from privacy.subjects.subjects import Subjects


@dataclass(frozen=True)
class Rule:
    category: str
    period: str
    reason: str


MEDICAL_YEARS = 7
MINOR_UNTIL_AGE = 21
MEDICAL_RULE = (
    "Texas Medical Board rule 22 TAC §165.1: medical records are kept 7 years after the last "
    "treatment, and for a minor at least until age 21"
)
TRANSCRIPTS = timedelta(days=365)
PATIENT_WITHOUT_RECORDS = timedelta(days=2 * 365)
AUDIT = timedelta(days=6 * 365)
CONSENT_AFTER_ERASURE = timedelta(days=6 * 365)
ONE_TIME_CODES = timedelta(days=1)
SENT_MESSAGES = timedelta(days=30)
SMS_MESSAGE_IDS = timedelta(days=2)

RULES = (
    Rule(
        "medical records: intake answers, health records, appointments, and the patient's name and date of birth",
        "7 years after the last treatment; for a minor, until age 21 if that is later",
        MEDICAL_RULE,
    ),
    Rule(
        "patient identity and contact details of someone never treated",
        "2 years after the last activity",
        "needed only to serve the patient; nothing requires keeping it longer",
    ),
    Rule(
        "conversation transcripts",
        "1 year after the conversation's last message",
        "support and service quality; transcripts are not part of the medical record",
    ),
    Rule("audit log", "6 years", "HIPAA documentation retention, 45 CFR §164.316(b)(2)"),
    Rule("consent ledger of an erased patient", "6 years after the erasure", "proof of what was consented to"),
    Rule("one-time codes", "1 day", "only used to verify identity, valid for 10 minutes"),
    Rule("portable copies (download links)", "7 days", "the link's lifetime"),
    Rule("sent SMS and e-mail messages", "30 days after sending", "delivery troubleshooting only"),
    Rule("ids of received SMS messages", "2 days", "only to answer a message Twilio delivers twice once"),
)


def _years_after(day: datetime, years: int) -> datetime:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class SweepReport:
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)
    held: int = 0

    def __str__(self) -> str:
        verb = "would erase" if self.dry_run else "erased"
        lines = [f"{verb} {n} {what}" for what, n in self.counts.items()]
        return "\n".join(lines + [f"{self.held} subject(s) kept under a legal hold"])


class Retention:
    def __init__(
        self,
        data: Engine,
        clock: Clock,
        sealer: Sealer,
        keystore: KeyStore,
        audit: AuditLog,
        subjects: Subjects,
        requests: Requests,
        forget_received_sms: Callable[[datetime, bool], int],
    ):
        self.data = data
        self.forget_received_sms = forget_received_sms  # SmsInbox.forget_before: the ids' hashes stay
        self.now = clock
        self.sealer = sealer
        self.keystore = keystore
        self.audit = audit
        self.subjects = subjects
        self.requests = requests  # a deletion the sweep finishes is closed

    # -- legal holds --------------------------------------------------------
    def place_hold(self, subject_id: str, reason: str, *, actor: str) -> int:
        """Block every erasure of the subject (litigation, investigation) until released."""
        if not reason.strip():
            raise InvalidInput("A legal hold needs a reason.")
        with self.data.begin() as db:
            hold_id = db.execute(
                insert(legal_holds).values(subject_id=subject_id, reason=reason, placed_by=actor, placed_at=self.now())
            ).inserted_primary_key[0]
        self.audit.append(actor, "hold.place", subject_id, reason)
        return hold_id

    def release_hold(self, hold_id: int, *, actor: str) -> None:
        with self.data.begin() as db:
            row = db.execute(
                select(legal_holds.c.subject_id).where(legal_holds.c.id == hold_id, legal_holds.c.released_at.is_(None))
            ).first()
            if row is None:
                raise NotFound(f"No active legal hold {hold_id}.")
            db.execute(update(legal_holds).where(legal_holds.c.id == hold_id).values(released_at=self.now()))
        self.audit.append(actor, "hold.release", row.subject_id, f"hold {hold_id}")

    def held(self, subject_id: str) -> bool:
        with self.data.connect() as db:
            return (
                db.execute(
                    select(legal_holds.c.id)
                    .where(legal_holds.c.subject_id == subject_id, legal_holds.c.released_at.is_(None))
                    .limit(1)
                ).first()
                is not None
            )

    # -- medical records ----------------------------------------------------
    def medical_hold_until(self, subject_id: str) -> Optional[datetime]:
        """Until when the law requires the subject's medical records; None if there are none."""
        now = self.now()
        with self.data.connect() as db:
            last_record = db.execute(
                select(func.max(health_records.c.created_at)).where(health_records.c.subject_id == subject_id)
            ).scalar()
            last_visit = db.execute(
                select(func.max(appointments.c.starts_at)).where(
                    appointments.c.subject_id == subject_id,
                    appointments.c.status != "cancelled",
                    appointments.c.starts_at <= now,
                )
            ).scalar()
            patient = db.execute(
                select(patients.c.id, patients.c.birth_date).where(patients.c.subject_id == subject_id)
            ).first()
        treated = [as_utc(t) for t in (last_record, last_visit) if t is not None]
        if not treated:
            return None
        until = _years_after(max(treated), MEDICAL_YEARS)
        if patient is not None:
            birth = date.fromisoformat(self.sealer.open(patient.birth_date, "patients", "birth_date", patient.id))
            if age_on(birth, now.date()) < MINOR_UNTIL_AGE:
                adult = datetime(birth.year + MINOR_UNTIL_AGE, birth.month, min(birth.day, 28), tzinfo=timezone.utc)
                until = max(until, adult)
        return until

    # -- the sweep ----------------------------------------------------------
    def sweep(self, *, dry_run: bool = False, actor: str = "system") -> SweepReport:
        """Erase or delete what its rule no longer lets us keep; legal holds block it."""
        report, now = SweepReport(dry_run), self.now()
        counts = report.counts
        counts["patients whose retention ended"] = self._expired_patients(now, dry_run, report)
        counts["conversation transcripts"] = self._old_conversations(now, dry_run, report)
        counts["one-time codes"] = self._delete_where(
            one_time_codes, one_time_codes.c.created_at < now - ONE_TIME_CODES, dry_run
        )
        counts["expired download links"] = self._delete_where(exports, exports.c.expires_at < now, dry_run)
        counts["sent messages"] = self._delete_where(outbox, outbox.c.sent_at < now - SENT_MESSAGES, dry_run)
        counts["received SMS ids"] = self.forget_received_sms(now - SMS_MESSAGE_IDS, dry_run)
        long_erased = select(subjects.c.id).where(subjects.c.erased_at < now - CONSENT_AFTER_ERASURE)
        counts["consent entries of long-erased patients"] = self._delete_where(
            consent_ledger, consent_ledger.c.subject_id.in_(long_erased), dry_run
        )
        counts["audit entries"] = (
            self._delete_where(audit_log, audit_log.c.at < now - AUDIT, dry_run=True)
            if dry_run
            else self.audit.expire(now - AUDIT)
        )
        self.audit.append(
            actor,
            "retention.dry_run" if dry_run else "retention.sweep",
            None,
            "retention rules",
            {**counts, "held": report.held},
        )
        return report

    def _expired_patients(self, now: datetime, dry_run: bool, report: SweepReport) -> int:
        """Patients whose records no rule keeps any longer, or whose restriction after a
        deletion request has ended."""
        with self.data.connect() as db:
            rows = db.execute(
                select(subjects.c.id, subjects.c.restricted_until, patients.c.updated_at)
                .join(patients, patients.c.subject_id == subjects.c.id)
                .where(subjects.c.erased_at.is_(None))
            ).all()
        erased = 0
        for row in rows:
            if row.restricted_until is not None:
                end = as_utc(row.restricted_until)
            else:
                end = self.medical_hold_until(row.id) or as_utc(row.updated_at) + PATIENT_WITHOUT_RECORDS
            if end > now:
                continue
            if self.held(row.id):
                report.held += 1
                continue
            if not dry_run:
                self.subjects.erase(row.id, actor="system", reason="retention period ended")
                self.requests.close_pending_deletions(row.id)
            erased += 1
        return erased

    def _old_conversations(self, now: datetime, dry_run: bool, report: SweepReport) -> int:
        with self.data.connect() as db:
            rows = db.execute(
                select(conversations.c.subject_id, subjects.c.linked_to)
                .join(subjects, subjects.c.id == conversations.c.subject_id)
                .where(conversations.c.updated_at < now - TRANSCRIPTS)
            ).all()
        erased = 0
        for subject_id, patient_subject in rows:
            if patient_subject and self.held(patient_subject):
                report.held += 1
                continue
            if not dry_run:
                self.keystore.destroy([subject_id])
                self.subjects.delete_rows([subject_id])
            erased += 1
        return erased

    def _delete_where(self, table, condition, dry_run: bool) -> int:
        with self.data.begin() as db:
            if dry_run:
                return db.execute(select(func.count()).select_from(table).where(condition)).scalar()
            return db.execute(delete(table).where(condition)).rowcount
