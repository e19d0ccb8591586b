"""The rights of the data policy, from request to outcome: a request is opened, the requester's
identity verified, then the request approved (carried out by the fulfilment of its kind) or
denied. Objection, marketing opt-out and consent withdrawal take effect when opened."""

from __future__ import annotations

from typing import Any, Callable, Optional

from sqlalchemy import select
from sqlalchemy.engine import Engine

from privacy.compliance.consent import Consent
from privacy.compliance.rights.copies import Copies
from privacy.compliance.rights.correction import Correction
from privacy.compliance.rights.deletion import Deletion
from privacy.compliance.rights.held import Held, HeldData
from privacy.compliance.rights.requests import AT_ONCE, KINDS, Kind, Request, Requests, Result, Status, Step
from privacy.errors import InvalidInput, NotFound
from privacy.store.schema import subjects
from privacy.subjects.identity import Identity
from privacy.subjects.patients import FIELDS
from privacy.subjects.subjects import Subjects

OBJECTABLE = ("research", "analytics", "marketing")
WITHDRAWABLE = ("care", "sms", "marketing", "analytics", "research", "third_party_sharing")


class Rights:
    def __init__(
        self,
        data: Engine,
        requests: Requests,
        held: HeldData,
        consent: Consent,
        subjects: Subjects,
        identity: Identity,
        copies: Copies,
        correction: Correction,
        deletion: Deletion,
    ):
        self.data = data
        self.requests = requests
        self.held_data = held
        self.consent = consent
        self.subjects = subjects
        self.identity = identity
        # How each right that waits for approval is carried out: one function per kind.
        self.fulfilment: dict[Kind, Callable[[Request, str], Result]] = {
            Kind.ACCESS: copies.access,
            Kind.PORTABILITY: copies.portability,
            Kind.CORRECTION: correction.carry_out,
            Kind.DELETION: deletion.carry_out,
        }

    # -- reading --------------------------------------------------------------
    def get(self, request_id: str) -> Request:
        return self.requests.get(request_id)

    def list(self, *, open_only: bool = True, subject_id: Optional[str] = None) -> list[Request]:
        """Requests, overdue first, then by due date."""
        return self.requests.list(open_only=open_only, subject_id=subject_id)

    def history(self, request_id: str) -> list[Step]:
        return self.requests.history(request_id)

    def held(self, subject_id: str, *, actor: str) -> Held:
        """Every record held about the subject, decrypted (the reads are audited)."""
        return self.held_data.collect(subject_id, actor=actor)

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
        details = _checked_details(kind, details or {})
        with self.data.connect() as db:
            subject = db.execute(select(subjects.c.erased_at).where(subjects.c.id == subject_id)).first()
        if subject is None:
            raise NotFound(f"No subject {subject_id}.")
        if subject.erased_at is not None:
            raise InvalidInput("This person's data was already erased.")
        actor = self.consent.acting_party(subject_id, acted_by)
        record_subject = self.subjects.create("request")
        request = self.requests.create(subject_id, record_subject, kind, channel=channel, actor=actor, details=details)
        if kind in AT_ONCE:
            return Result(self._carry_out_at_once(request))
        return Result(request)

    def verify_identity(self, request_id: str, code_id: str, code: str) -> Request:
        """Check the one-time code sent for this request; the person must be the subject or their representative."""
        request = self.get(request_id)
        verified = self.identity.verify(code_id, code)
        if verified != request.subject_id and verified not in self.consent.representatives_of(request.subject_id):
            raise InvalidInput("That code was not sent to this person.")
        return self.requests.move(
            request, Status.IDENTITY_VERIFIED, "patient", "identity verified with a one-time code"
        )

    def confirm_identity(self, request_id: str, *, actor: str, how: str) -> Request:
        """Staff confirm the requester's identity another way (in person, with an ID)."""
        return self.requests.move(self.get(request_id), Status.IDENTITY_VERIFIED, actor, f"identity confirmed: {how}")

    def approve(self, request_id: str, *, actor: str) -> Result:
        """Carry out a verified request."""
        request = self.get(request_id)
        if request.status == Status.RECEIVED:
            raise InvalidInput("The requester's identity must be verified before anything is disclosed or changed.")
        if request.status == Status.IDENTITY_VERIFIED:
            request = self.requests.move(request, Status.IN_PROGRESS, actor, "approved")
        if request.status != Status.IN_PROGRESS:
            raise InvalidInput(f"Request {request_id} is {request.status}.")
        return self.fulfilment[Kind(request.kind)](request, actor)

    def deny(self, request_id: str, *, actor: str, reason: str) -> Request:
        """Refuse a request, with the reason the patient is given."""
        if not reason.strip():
            raise InvalidInput("A denial needs the reason the patient will be given.")
        request = self.requests.move(self.get(request_id), Status.DENIED, actor, reason)
        return self.requests.close(request, {"reason": reason})

    def close_pending_deletions(self, subject_id: str) -> None:
        """After the retention sweep erased a subject: finish their partly completed deletions."""
        self.requests.close_pending_deletions(subject_id)

    def _carry_out_at_once(self, request: Request) -> Request:
        purposes = request.details["purposes"]
        for purpose in purposes:
            self.consent.withdraw(
                request.subject_id,
                purpose,
                channel=request.channel,
                wording=request.details["wording"],
                acted_by=_acted_by(request),
            )
        request = self.requests.move(request, Status.IN_PROGRESS, "system", "takes effect at once")
        request = self.requests.move(request, Status.COMPLETED, "system", f"stopped: {', '.join(purposes)}")
        return self.requests.close(request, {"stopped": purposes})


def _checked_details(kind: str, details: dict[str, Any]) -> dict[str, Any]:
    if kind == "correction":
        if "record_id" not in details and details.get("field") not in FIELDS:
            raise InvalidInput(f"Say which field to correct ({', '.join(FIELDS)}) or which record to amend.")
        if not str(details.get("value", "")).strip():
            raise InvalidInput("Say what the correct value is.")
    if kind in AT_ONCE:
        allowed = {"objection": OBJECTABLE, "marketing_opt_out": ("marketing",), "consent_withdrawal": WITHDRAWABLE}[
            kind
        ]
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


def _acted_by(request: Request) -> Optional[str]:
    return request.requested_by.split(":", 1)[1] if request.requested_by.startswith("representative:") else None
