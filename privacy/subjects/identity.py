"""Identity verification with a one-time code sent to the phone or e-mail on file.

A check is made for a claimed identity (a name and a date of birth, or a patient just
registered), and it goes the same way whether or not the claim matches a patient: a code row
is kept either way, stored only as a keyed hash, valid for 10 minutes and 3 tries. Only a
patient with a contact on file, within CODES_PER_HOUR and CODES_PER_DAY for the claim and
CODES_PER_CONVERSATION for the conversation, is actually sent a code; the answers never say
which, so that they tell nobody whether a patient exists.

Wrong answers count per claim across codes and conversations (FAILURE_WINDOW): a code's third
wrong try sends a fresh one, and after FREE_FAILURES each further try must wait twice as long
as the last (no hard lock that anyone knowing a name and a birth date could trigger). Every
NOTIFY_EVERY failures the patient is told through the contact on file.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Optional

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from privacy.clock import Clock, as_utc
from privacy.compliance.audit import AuditLog
from privacy.crypto.indexer import Indexer
from privacy.errors import InvalidInput, NotFound, VaultError
from privacy.messaging.outbox import Outbox
from privacy.store.schema import one_time_codes
from privacy.subjects.patients import Patients

CODE_LIFETIME = timedelta(minutes=10)
TRIES_PER_CODE = 3
CODES_PER_HOUR, CODES_PER_DAY, CODES_PER_CONVERSATION = 3, 10, 5
FAILURE_WINDOW = timedelta(days=1)
FREE_FAILURES = 3
FIRST_WAIT, LONGEST_WAIT = timedelta(seconds=30), timedelta(minutes=15)
NOTIFY_EVERY = 5
CODE_TEXT = (
    "Your Healthtigo verification code is {code}. It expires in 10 minutes. "
    "If you did not ask for it, ignore this message."
)
USED = "This code was already used: ask for a new one."
FAILURES_TEXT = (
    "Healthtigo: someone entered several wrong verification codes for your record. If it was not "
    "you, call us at 469-421-2618. Never share a code with anyone."
)


class VerificationFailed(VaultError):
    """The code is wrong, expired, used up or tried too soon; the message says which. `retry`:
    another answer may be typed, to `fresh_code_id` when that names the code that replaced this one."""

    def __init__(self, message: str, retry: bool = False, fresh_code_id: Optional[str] = None):
        super().__init__(message)
        self.retry, self.fresh_code_id = retry, fresh_code_id


@dataclass(frozen=True)
class Failures:
    """A claim's wrong answers in FAILURE_WINDOW since its last success."""

    count: int
    last: Optional[datetime]

    def wait_until(self) -> Optional[datetime]:
        """When the next try may be made, once FREE_FAILURES are used up."""
        if self.count < FREE_FAILURES or self.last is None:
            return None
        return as_utc(self.last) + min(FIRST_WAIT * 2 ** (self.count - FREE_FAILURES), LONGEST_WAIT)


def _wait_text(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}" if minutes else f"{max(1, round(seconds))} seconds"


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

    def claim(self, name: str, birth_date: date) -> str:
        """The keyed hash of a claimed identity, whether or not it is a patient's."""
        return self.indexer.digest("claimed identity", f"{' '.join(name.casefold().split())}|{birth_date.isoformat()}")

    def send_code(
        self,
        subject_id: Optional[str],
        via: Optional[str] = None,
        *,
        claim: Optional[str] = None,
        conversation: Optional[str] = None,
    ) -> str:
        """Start a check of `claim` (by default the patient's own), matched to `subject_id` (None:
        no patient): a code to the phone ("sms") or e-mail on file (by default the phone if there
        is one), when the limits allow. Returns the code's id, whatever was sent."""
        if via not in (None, "sms", "email"):
            raise InvalidInput("A code can be sent by sms or email.")
        claim = claim or self.indexer.digest("claimed identity", subject_id or "")
        conversation_hash = self.indexer.digest("conversation", conversation) if conversation else None
        return self._issue(subject_id, via, claim, conversation_hash)

    def _issue(
        self, subject_id: Optional[str], via: Optional[str], claim: str, conversation_hash: Optional[str]
    ) -> str:
        now, code, code_id = self.now(), f"{secrets.randbelow(10**6):06d}", f"c_{uuid.uuid4().hex}"
        with self.data.begin() as db:
            allowed = self._within_limits(db, claim, conversation_hash, now)
            recipient = self._recipient(subject_id, via) if allowed else None
            db.execute(
                insert(one_time_codes).values(
                    id=code_id,
                    subject_id=subject_id,
                    claim_hash=claim,
                    conversation_hash=conversation_hash,
                    code_hash=self._hash(code_id, code),
                    created_at=now,
                    expires_at=now + CODE_LIFETIME,
                    attempts=0,
                    sent=recipient is not None,
                )
            )
        if recipient is not None:
            self.outbox.queue(subject_id, recipient[0], "identity", recipient[1], CODE_TEXT.format(code=code))
        elif subject_id is not None:
            self.audit.append("system", "identity.code_not_sent", subject_id, "limit reached or no contact on file")
        return code_id

    @staticmethod
    def _within_limits(db: Connection, claim: str, conversation_hash: Optional[str], now: datetime) -> bool:
        sent = select(func.count()).select_from(one_time_codes).where(one_time_codes.c.sent.is_(True))
        by_claim = sent.where(one_time_codes.c.claim_hash == claim)
        limits = [
            (by_claim.where(one_time_codes.c.created_at > now - timedelta(hours=1)), CODES_PER_HOUR),
            (by_claim.where(one_time_codes.c.created_at > now - timedelta(days=1)), CODES_PER_DAY),
        ]
        if conversation_hash:
            by_conversation = sent.where(one_time_codes.c.conversation_hash == conversation_hash)
            recent = by_conversation.where(one_time_codes.c.created_at > now - timedelta(hours=1))
            limits.append((recent, CODES_PER_CONVERSATION))
        return all(db.execute(query).scalar_one() < limit for query, limit in limits)

    def _recipient(self, subject_id: Optional[str], via: Optional[str]) -> Optional[tuple[str, str]]:
        """(channel, address) of the contact on file to send a code to, if any."""
        if subject_id is None:
            return None
        kinds = self.patients.contact_kinds(subject_id)
        for kind in [via] if via else kinds[:1]:
            if kind in kinds:
                return kind, self.patients.contact(subject_id, kind, reason="send a one-time code")
        return None

    def failures(self, claim: str) -> Failures:
        """The claim's wrong answers in FAILURE_WINDOW, since its last success."""
        now = self.now()
        codes = one_time_codes.c
        with self.data.connect() as db:
            success = db.execute(select(func.max(codes.used_at)).where(codes.claim_hash == claim)).scalar_one()
            since = max(now - FAILURE_WINDOW, as_utc(success)) if success else now - FAILURE_WINDOW
            count, last = db.execute(
                select(func.coalesce(func.sum(codes.attempts), 0), func.max(codes.failed_at)).where(
                    codes.claim_hash == claim, codes.created_at > since
                )
            ).one()
        return Failures(int(count), last)

    def verify(self, code_id: str, code: str) -> str:
        """Check a code; returns the verified subject id or raises VerificationFailed."""
        now = self.now()
        with self.data.connect() as db:
            row = db.execute(select(one_time_codes).where(one_time_codes.c.id == code_id)).first()
        if row is None:
            raise NotFound("No such code.")
        failure = self._unusable(row, now)
        if failure is None:
            ok = row.subject_id is not None and hmac.compare_digest(row.code_hash, self._hash(code_id, code.strip()))
            if not ok:
                failure = self._wrong(row, now)
            elif self._use(code_id, now):
                self.audit.append("patient", "identity.verified", row.subject_id, "one-time code")
                return row.subject_id
            else:  # another request used it first
                failure = VerificationFailed(USED)
        if row.subject_id is not None:
            self.audit.append("patient", "identity.failed", row.subject_id, str(failure))
        raise failure

    def _unusable(self, row, now: datetime) -> Optional[VerificationFailed]:
        if row.used_at is not None:
            return VerificationFailed(USED)
        if now > as_utc(row.expires_at):
            return VerificationFailed("This code has expired: ask for a new one.")
        wait_until = self.failures(row.claim_hash).wait_until()
        if wait_until and now < wait_until:
            return VerificationFailed(
                f"Please wait {_wait_text((wait_until - now).total_seconds())} before you try a code again.", retry=True
            )
        if row.attempts >= TRIES_PER_CODE:
            return VerificationFailed("This code was tried too often: ask for a new one.")
        return None

    def _use(self, code_id: str, now: datetime) -> bool:
        """Mark the code used, once (False when another request used it first)."""
        with self.data.begin() as db:
            used = db.execute(
                update(one_time_codes)
                .where(one_time_codes.c.id == code_id, one_time_codes.c.used_at.is_(None))
                .values(used_at=now)
            )
        return used.rowcount == 1

    def _wrong(self, row, now: datetime) -> VerificationFailed:
        """Count a wrong answer; tell the patient when failures pile up; a fresh code for a used-up one."""
        with self.data.begin() as db:
            db.execute(
                update(one_time_codes)
                .where(one_time_codes.c.id == row.id)
                .values(attempts=one_time_codes.c.attempts + 1, failed_at=now)
            )
        failures = self.failures(row.claim_hash)
        if row.subject_id is not None and failures.count % NOTIFY_EVERY == 0:
            recipient = self._recipient(row.subject_id, None)
            if recipient:
                self.outbox.queue(row.subject_id, recipient[0], "identity", recipient[1], FAILURES_TEXT)
        wait_until = failures.wait_until()
        wait = (
            f" Please wait {_wait_text((wait_until - now).total_seconds())} before you try again." if wait_until else ""
        )
        left = TRIES_PER_CODE - row.attempts - 1
        if left > 0:
            return VerificationFailed(
                f"That code is not right; {left} tr{'ies' if left != 1 else 'y'} left.{wait}", retry=True
            )
        fresh = self._issue(row.subject_id, None, row.claim_hash, row.conversation_hash)
        return VerificationFailed(
            "That code is not right. If those details match our records, a new code is on its way: "
            f"please type the new one.{wait}",
            retry=True,
            fresh_code_id=fresh,
        )
