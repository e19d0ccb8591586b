"""Identity verification with a one-time code sent to the phone or e-mail on file.

The code is stored only as a keyed hash; it is valid for 10 minutes and 5
attempts. After 5 wrong attempts no new code is sent for 15 minutes.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from privacy.clock import Clock, as_utc
from privacy.compliance.audit import AuditLog
from privacy.crypto.indexer import Indexer
from privacy.errors import InvalidInput, NotFound, VaultError
from privacy.messaging.outbox import Outbox
from privacy.store.schema import one_time_codes
from privacy.subjects.patients import Patients

CODE_LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
LOCKED_OUT = "Too many wrong codes: please wait 15 minutes and ask for a new one."


class VerificationFailed(VaultError):
    """The code is wrong, expired or used up; the message says which."""


class Identity:
    def __init__(
        self, data: Engine, clock: Clock, indexer: Indexer, audit: AuditLog, patients: Patients, outbox: Outbox
    ):
        self.data = data
        self.now = clock
        self.indexer = indexer
        self.audit = audit
        self.patients = patients
        self.outbox = outbox

    def _hash(self, code_id: str, code: str) -> str:
        return self.indexer.digest("one-time code", f"{code_id}:{code}")

    def send_code(self, subject_id: str, via: str = "sms") -> str:
        """Send a fresh code to the patient's phone ("sms") or e-mail on file; returns the code's id."""
        if via not in ("sms", "email"):
            raise InvalidInput("A code can be sent by sms or email.")
        now = self.now()
        with self.data.connect() as db:
            locked = db.execute(
                select(one_time_codes.c.id)
                .where(
                    one_time_codes.c.subject_id == subject_id,
                    one_time_codes.c.attempts >= MAX_ATTEMPTS,
                    one_time_codes.c.created_at > now - LOCKOUT,
                )
                .limit(1)
            ).first()
        if locked:
            raise VerificationFailed(LOCKED_OUT)
        recipient = self.patients.contact(subject_id, via, reason="send a one-time code")
        if recipient is None:
            raise NotFound(f"There is no {'phone number' if via == 'sms' else 'e-mail address'} on file.")
        code, code_id = f"{secrets.randbelow(10**6):06d}", f"c_{uuid.uuid4().hex}"
        with self.data.begin() as db:
            db.execute(
                insert(one_time_codes).values(
                    id=code_id,
                    subject_id=subject_id,
                    code_hash=self._hash(code_id, code),
                    created_at=now,
                    expires_at=now + CODE_LIFETIME,
                    attempts=0,
                )
            )
        self.outbox.queue(
            subject_id,
            via,
            "identity",
            recipient,
            f"Your Healthtigo verification code is {code}. It expires in 10 minutes. "
            "If you did not ask for it, ignore this message.",
        )
        return code_id

    def verify(self, code_id: str, code: str) -> str:
        """Check a code; returns the verified subject id or raises VerificationFailed."""
        now = self.now()
        with self.data.begin() as db:
            row = db.execute(select(one_time_codes).where(one_time_codes.c.id == code_id)).first()
            if row is None:
                raise NotFound("No such code.")
            failure = self._failure(row, now)
            if failure is None and not hmac.compare_digest(row.code_hash, self._hash(code_id, code.strip())):
                left = MAX_ATTEMPTS - row.attempts - 1
                failure = (
                    f"That code is not right; {left} attempt{'s' if left != 1 else ''} left." if left else LOCKED_OUT
                )
                db.execute(
                    update(one_time_codes).where(one_time_codes.c.id == code_id).values(attempts=row.attempts + 1)
                )
            elif failure is None:
                db.execute(update(one_time_codes).where(one_time_codes.c.id == code_id).values(used_at=now))
        if failure:
            self.audit.append("patient", "identity.failed", row.subject_id, failure)
            raise VerificationFailed(failure)
        self.audit.append("patient", "identity.verified", row.subject_id, "one-time code")
        return row.subject_id

    @staticmethod
    def _failure(row, now) -> str | None:
        if row.used_at is not None:
            return "This code was already used: ask for a new one."
        if row.attempts >= MAX_ATTEMPTS:
            return LOCKED_OUT
        if now > as_utc(row.expires_at):
            return "This code has expired: ask for a new one."
        return None
