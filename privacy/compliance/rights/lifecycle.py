"""Data-subject requests: the rights of the data policy, from request to outcome.

Kinds: access, correction, deletion, objection, portability, and marketing opt-out
and consent withdrawal. Objection, opt-out and withdrawal take effect at once; the
others need the patient's identity verified (one-time code, or staff) before
anything is disclosed or changed, then follow

    received -> identity_verified -> in_progress -> completed | denied | partially_completed

Due dates: 30 days; 15 business days for access to electronic health records
(Texas Health and Safety Code §181.102); 60 days for amending a medical record
(HIPAA, 45 CFR §164.526). Every step is kept in the request's history and audited.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable, Optional

from sqlalchemy import func, insert, select, update

from privacy.clock import as_utc
from privacy.compliance import erasure
from privacy.compliance.consent import Entry
from privacy.compliance.disclosures import Disclosure
from privacy.compliance.retention import MEDICAL_RULE, RULES
from privacy.compliance.rights import fhir_export
from privacy.crypto.keystore import CONTACT
from privacy.errors import InvalidInput, NotFound, SubjectErased
from privacy.store.schema import appointments, corrections, patients, request_history, rights_requests, subjects
from privacy.subjects.patients import CONTACT_FIELDS, FIELDS, Patient
from privacy.subjects.records import Record

if TYPE_CHECKING:
    from privacy.vault import Vault


class Kind(str, Enum):
    """What a request asks for; stored by value."""

    ACCESS = "access"
    CORRECTION = "correction"
    DELETION = "deletion"
    OBJECTION = "objection"
    PORTABILITY = "portability"
    MARKETING_OPT_OUT = "marketing_opt_out"
    CONSENT_WITHDRAWAL = "consent_withdrawal"


class Status(str, Enum):
    """Where a request is in its lifecycle; stored by value."""

    RECEIVED = "received"
    IDENTITY_VERIFIED = "identity_verified"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    PARTIALLY_COMPLETED = "partially_completed"
    DENIED = "denied"


KINDS = tuple(kind.value for kind in Kind)
AT_ONCE = (Kind.OBJECTION, Kind.MARKETING_OPT_OUT, Kind.CONSENT_WITHDRAWAL)
OPEN = (Status.RECEIVED, Status.IDENTITY_VERIFIED, Status.IN_PROGRESS)
OBJECTABLE = ("research", "analytics", "marketing")
WITHDRAWABLE = ("care", "sms", "marketing", "analytics", "research", "third_party_sharing")
NEXT = {  # received -> in progress only for the kinds carried out at once (approve checks identity)
    Status.RECEIVED: (Status.IDENTITY_VERIFIED, Status.IN_PROGRESS, Status.DENIED),
    Status.IDENTITY_VERIFIED: (Status.IN_PROGRESS, Status.DENIED),
    Status.IN_PROGRESS: (Status.COMPLETED, Status.PARTIALLY_COMPLETED, Status.DENIED),
    Status.PARTIALLY_COMPLETED: (Status.COMPLETED,),
}


@dataclass(frozen=True)
class Request:
    id: str
    subject_id: str
    kind: str
    status: str
    channel: str
    requested_by: str
    details: dict[str, Any]
    outcome: dict[str, Any]
    received_at: datetime
    due_at: datetime
    closed_at: Optional[datetime]
    record_subject_id: str

    def overdue(self, now: datetime) -> bool:
        return self.status in OPEN and now > self.due_at


@dataclass(frozen=True)
class Step:
    status: str
    actor: str
    note: str
    at: datetime


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


@dataclass(frozen=True)
class Result:
    request: Request
    download_token: Optional[str] = None


def business_days_after(start: datetime, days: int) -> datetime:
    """`days` working days (Monday to Friday) after `start`."""
    day = start
    while days:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def due_date(kind: str, received: datetime, details: dict[str, Any]) -> datetime:
    if kind in ("access", "portability"):
        return business_days_after(received, 15)
    if kind == "correction" and details.get("record_id"):
        return received + timedelta(days=60)
    return received + timedelta(days=30)


class Rights:
    def __init__(self, vault: "Vault"):
        self.vault = vault
        # How each right that waits for approval is carried out: one function per kind.
        self.fulfilment: dict[Kind, Callable[[Request, str], Result]] = {
            Kind.ACCESS: self._carry_out_access,
            Kind.PORTABILITY: self._carry_out_portability,
            Kind.CORRECTION: self._carry_out_correction,
            Kind.DELETION: self._carry_out_deletion,
        }

    # -- reading --------------------------------------------------------------
    def get(self, request_id: str) -> Request:
        with self.vault.data.connect() as db:
            row = db.execute(select(rights_requests).where(rights_requests.c.id == request_id)).first()
        if row is None:
            raise NotFound(f"No request {request_id}.")
        return self._request(row)

    def _request(self, row) -> Request:
        opened = self.vault.sealer.open
        try:
            details = json.loads(opened(row.details, "rights_requests", "details", row.id)) if row.details else {}
        except SubjectErased:  # the patient was erased since: only the handling is kept
            details = {}
        outcome = json.loads(opened(row.outcome, "rights_requests", "outcome", row.id)) if row.outcome else {}
        return Request(
            row.id,
            row.subject_id,
            row.kind,
            row.status,
            row.channel,
            row.requested_by,
            details,
            outcome,
            as_utc(row.received_at),
            as_utc(row.due_at),
            as_utc(row.closed_at),
            row.record_subject_id,
        )

    def list(self, *, open_only: bool = True, subject_id: Optional[str] = None) -> list[Request]:
        """Requests, overdue first, then by due date."""
        query = select(rights_requests)
        if open_only:
            query = query.where(rights_requests.c.status.in_(OPEN))
        if subject_id:
            query = query.where(rights_requests.c.subject_id == subject_id)
        with self.vault.data.connect() as db:
            requests = [self._request(row) for row in db.execute(query)]
        now = self.vault.now()
        return sorted(requests, key=lambda r: (not r.overdue(now), r.due_at))

    def history(self, request_id: str) -> list[Step]:
        with self.vault.data.connect() as db:
            rows = db.execute(
                select(request_history)
                .where(request_history.c.request_id == request_id)
                .order_by(request_history.c.seq)
            ).all()
        return [
            Step(r.status, r.actor, self.vault.sealer.open(r.note, "request_history", "note", r.id), as_utc(r.at))
            for r in rows
        ]

    # -- the lifecycle ----------------------------------------------------------
    def open(
        self,
        subject_id: str,
        kind: str,
        *,
        channel: str,
        details: Optional[dict[str, Any]] = None,
        acted_by: Optional[str] = None,
    ) -> Result:
        """Receive a request. Objection, marketing opt-out and consent withdrawal are carried out at once."""
        if kind not in KINDS:
            raise InvalidInput(f"Unknown request {kind!r}; one of {', '.join(KINDS)}.")
        details = self._checked_details(kind, details or {})
        with self.vault.data.connect() as db:
            subject = db.execute(select(subjects.c.erased_at).where(subjects.c.id == subject_id)).first()
        if subject is None:
            raise NotFound(f"No subject {subject_id}.")
        if subject.erased_at is not None:
            raise InvalidInput("This person's data was already erased.")
        actor = self.vault.consent.acting_party(subject_id, acted_by)
        now, request_id = self.vault.now(), f"R-{secrets.token_hex(4).upper()}"
        record_subject = self.vault.subjects.create("request")
        with self.vault.audit.transaction() as (db, audited):
            db.execute(
                insert(rights_requests).values(
                    id=request_id,
                    subject_id=subject_id,
                    record_subject_id=record_subject,
                    kind=kind,
                    status=Status.RECEIVED.value,
                    channel=channel,
                    requested_by=actor,
                    received_at=now,
                    due_at=due_date(kind, now, details),
                    details=self._seal_json(subject_id, "details", request_id, details),
                )
            )
            self._step(db, request_id, record_subject, Status.RECEIVED, actor, f"{kind} request received via {channel}")
            audited(actor, "rights.open", subject_id, kind, {"request": request_id})
        if kind in AT_ONCE:
            return Result(self._carry_out_at_once(self.get(request_id)))
        return Result(self.get(request_id))

    def verify_identity(self, request_id: str, code_id: str, code: str) -> Request:
        """Check the one-time code sent for this request; the person must be the subject or their representative."""
        request = self.get(request_id)
        verified = self.vault.identity.verify(code_id, code)
        if verified != request.subject_id and verified not in self.vault.consent.representatives_of(request.subject_id):
            raise InvalidInput("That code was not sent to this person.")
        return self._move(request, Status.IDENTITY_VERIFIED, "patient", "identity verified with a one-time code")

    def confirm_identity(self, request_id: str, *, actor: str, how: str) -> Request:
        """Staff confirm the requester's identity another way (in person, with an ID)."""
        return self._move(self.get(request_id), Status.IDENTITY_VERIFIED, actor, f"identity confirmed: {how}")

    def approve(self, request_id: str, *, actor: str) -> Result:
        """Carry out a verified request."""
        request = self.get(request_id)
        if request.status == Status.RECEIVED:
            raise InvalidInput("The requester's identity must be verified before anything is disclosed or changed.")
        if request.status == Status.IDENTITY_VERIFIED:
            request = self._move(request, Status.IN_PROGRESS, actor, "approved")
        if request.status != Status.IN_PROGRESS:
            raise InvalidInput(f"Request {request_id} is {request.status}.")
        return self.fulfilment[Kind(request.kind)](request, actor)

    def deny(self, request_id: str, *, actor: str, reason: str) -> Request:
        """Refuse a request, with the reason the patient is given."""
        if not reason.strip():
            raise InvalidInput("A denial needs the reason the patient will be given.")
        request = self._move(self.get(request_id), Status.DENIED, actor, reason)
        return self._close(request, {"reason": reason})

    def close_pending_deletions(self, subject_id: str) -> None:
        """After the retention sweep erased a subject: finish their partly completed deletions."""
        for request in self.list(open_only=False, subject_id=subject_id):
            if request.kind == Kind.DELETION and request.status == Status.PARTIALLY_COMPLETED:
                self._move(request, Status.COMPLETED, "system", "the retention period ended; everything was erased")

    # -- carrying out each right -------------------------------------------------
    def _carry_out_at_once(self, request: Request) -> Request:
        purposes = request.details["purposes"]
        for purpose in purposes:
            self.vault.consent.withdraw(
                request.subject_id,
                purpose,
                channel=request.channel,
                wording=request.details["wording"],
                acted_by=_acted_by(request),
            )
        request = self._move(request, Status.IN_PROGRESS, "system", "takes effect at once")
        request = self._move(request, Status.COMPLETED, "system", f"stopped: {', '.join(purposes)}")
        return self._close(request, {"stopped": purposes})

    def _carry_out_access(self, request: Request, actor: str) -> Result:
        held = self.held(request.subject_id, actor=actor)
        copy = json.dumps({"summary": self.summary(request.subject_id, held), "records": held.as_dict()}, default=str)
        token, expires = self.vault.exports.create(request.subject_id, copy, request_id=request.id)
        return self._delivered(request, actor, token, expires)

    def _carry_out_portability(self, request: Request, actor: str) -> Result:
        held = self.held(request.subject_id, actor=actor)
        bundle = fhir_export.bundle(
            held.patient, held.records, held.appointments, held.consent_history, held.transcript, self.vault.now()
        )
        token, expires = self.vault.exports.create(request.subject_id, bundle, request_id=request.id)
        return self._delivered(request, actor, token, expires)

    def _delivered(self, request: Request, actor: str, token: str, expires: datetime) -> Result:
        request = self._move(request, Status.COMPLETED, actor, f"download link sent, valid until {expires:%Y-%m-%d}")
        return Result(self._close(request, {"download_expires": expires.isoformat()}), token)

    def _carry_out_correction(self, request: Request, actor: str) -> Result:
        details, subject_id, now = request.details, request.subject_id, self.vault.now()
        if "record_id" in details:  # a medical record is amended, never overwritten
            old = next(
                (
                    r
                    for r in self.vault.records.list(subject_id, actor=actor, reason=f"request {request.id}")
                    if r.id == details["record_id"]
                ),
                None,
            )
            if old is None:
                raise NotFound("That record is not this patient's.")
            new_id = self.vault.records.put(
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
            patient_id = self._patient_id(subject_id)
            current = self.vault.patients.get(patient_id, actor=actor, reason=f"request {request.id}")
            old_value = getattr(current, field)
            self.vault.patients.update(
                patient_id, actor=actor, reason=f"request {request.id}", **{field: details["value"]}
            )
            target, scope, note = (
                f"patients:{field}",
                CONTACT if field in CONTACT_FIELDS else "main",
                f"{field} corrected",
            )
        seal, row_id = self.vault.sealer.seal, f"k_{uuid.uuid4().hex}"
        with self.vault.data.begin() as db:
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
        request = self._move(request, Status.COMPLETED, actor, note)
        return Result(self._close(request, {"corrected": target}))

    def _carry_out_deletion(self, request: Request, actor: str) -> Result:
        subject_id, retention = request.subject_id, self.vault.retention
        hold_until, legal_hold = retention.medical_hold_until(subject_id), retention.held(subject_id)
        if hold_until is None and not legal_hold:
            self.vault.subjects.erase(subject_id, actor=actor, reason=f"deletion request {request.id}")
            request = self._move(request, Status.COMPLETED, actor, "all data erased")
            return Result(self._close(request, {"erased": "everything"}))
        self._erase_all_but_medical_records(subject_id, actor, request.id)
        now = self.vault.now()
        until = hold_until if hold_until and not legal_hold else None
        rule = (
            MEDICAL_RULE
            if not legal_hold
            else "a legal hold (an investigation or legal claim) that forbids erasure until it is released"
        )
        with self.vault.data.begin() as db:
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
        request = self._move(
            request,
            Status.PARTIALLY_COMPLETED,
            actor,
            f"kept medical records under {rule[:60]}... until {outcome['until']}",
        )
        return Result(self._close(request, outcome))

    def _erase_all_but_medical_records(self, subject_id: str, actor: str, request_id: str) -> None:
        with self.vault.data.connect() as db:
            linked = [r[0] for r in db.execute(select(subjects.c.id).where(subjects.c.linked_to == subject_id))]
        destroyed = self.vault.keystore.destroy([subject_id], scopes=(CONTACT,))
        if linked:
            destroyed += self.vault.keystore.destroy(linked)
            self.vault.subjects.delete_rows(linked)
        with self.vault.data.begin() as db:
            db.execute(
                update(patients)
                .where(patients.c.subject_id == subject_id)
                .values(**{field: None for field in CONTACT_FIELDS}, phone_index=None, email_index=None)
            )
            erasure.delete_rows_under_hold(db, subject_id)
        self.vault.audit.append(
            actor,
            "subject.erase_partly",
            subject_id,
            f"deletion request {request_id}",
            {"keys_destroyed": destroyed, "conversations": len(linked)},
        )

    # -- what is held -------------------------------------------------------------
    def held(self, subject_id: str, *, actor: str) -> "Held":
        """Every record held about the subject, decrypted (the reads are audited)."""
        patient = self.vault.patients.get(self._patient_id(subject_id), actor=actor, reason="data-subject request")
        with self.vault.data.connect() as db:
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
            self.vault.records.list(subject_id, actor=actor, reason="data-subject request"),
            visits,
            self.vault.consent.history(subject_id),
            self.vault.conversations.transcript(linked),
            self.vault.disclosures.of(subject_id),
        )

    def summary(self, subject_id: str, held: "Held") -> dict[str, Any]:
        """What is held about the subject, readably: categories, sources, purposes, sharing, retention."""
        consent = self.vault.consent.state(subject_id)
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
                    for entry in self.vault.audit.entries(subject_id, 500)
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

    def _patient_id(self, subject_id: str) -> str:
        with self.vault.data.connect() as db:
            row = db.execute(select(patients.c.id).where(patients.c.subject_id == subject_id)).first()
        if row is None:
            raise NotFound("There is no patient record for this person.")
        return row[0]

    # -- bookkeeping ----------------------------------------------------------------
    def _checked_details(self, kind: str, details: dict[str, Any]) -> dict[str, Any]:
        if kind == "correction":
            if "record_id" not in details and details.get("field") not in FIELDS:
                raise InvalidInput(f"Say which field to correct ({', '.join(FIELDS)}) or which record to amend.")
            if not str(details.get("value", "")).strip():
                raise InvalidInput("Say what the correct value is.")
        if kind in AT_ONCE:
            allowed = {
                "objection": OBJECTABLE,
                "marketing_opt_out": ("marketing",),
                "consent_withdrawal": WITHDRAWABLE,
            }[kind]
            purposes = details.get("purposes") or list(allowed)
            if not set(purposes) <= set(allowed):
                raise InvalidInput(f"{kind} covers {', '.join(allowed)}.")
            default = {
                "objection": "I object to the use of my data for {}.",
                "marketing_opt_out": "Stop sending me promotional messages.",
                "consent_withdrawal": "I withdraw my consent to {}.",
            }[kind]
            details = {
                **details,
                "purposes": purposes,
                "wording": details.get("wording") or default.format(", ".join(purposes)),
            }
        return details

    def _seal_json(self, subject_id: str, column: str, request_id: str, value: dict[str, Any]) -> bytes:
        return self.vault.sealer.seal(subject_id, "rights_requests", column, request_id, json.dumps(value, default=str))

    def _move(self, request: Request, status: Status, actor: str, note: str) -> Request:
        """Change the status, add the history step and the audit entry: one transaction."""
        if status not in NEXT.get(Status(request.status), ()):
            raise InvalidInput(f"Request {request.id} is {request.status}; it cannot become {status.value}.")
        with self.vault.audit.transaction() as (db, audited):
            db.execute(update(rights_requests).where(rights_requests.c.id == request.id).values(status=status.value))
            self._step(db, request.id, request.record_subject_id, status, actor, note)
            audited(actor, f"rights.{status.value}", request.subject_id, note[:200], {"request": request.id})
        return self.get(request.id)

    def _close(self, request: Request, outcome: dict[str, Any]) -> Request:
        with self.vault.data.begin() as db:
            db.execute(
                update(rights_requests)
                .where(rights_requests.c.id == request.id)
                .values(
                    closed_at=self.vault.now(),
                    outcome=self._seal_json(request.record_subject_id, "outcome", request.id, outcome),
                )
            )
        return self.get(request.id)

    def _step(self, db, request_id: str, subject_id: str, status: Status, actor: str, note: str) -> None:
        step_id = f"h_{uuid.uuid4().hex}"
        seq = (
            db.execute(
                select(func.count()).select_from(request_history).where(request_history.c.request_id == request_id)
            ).scalar()
            + 1
        )
        db.execute(
            insert(request_history).values(
                id=step_id,
                request_id=request_id,
                seq=seq,
                status=status.value,
                actor=actor,
                at=self.vault.now(),
                note=self.vault.sealer.seal(subject_id, "request_history", "note", step_id, note),
            )
        )


def _acted_by(request: Request) -> Optional[str]:
    return request.requested_by.split(":", 1)[1] if request.requested_by.startswith("representative:") else None


def _who(actor: str) -> str:
    if actor.startswith("staff:"):
        return "Healthtigo staff"
    return {"self": "you", "patient": "you", "system": "the assistant"}.get(actor, actor.split(":")[0])
