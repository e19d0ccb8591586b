"""Staff accounts of the console: argon2 password hashes, lock-out after repeated failures,
a TOTP second factor for privacy officers and admins, and server-side sessions.

An attempt (a password or a TOTP code) is counted before it is checked, in one statement, so
that guesses sent in parallel all count: at most MAX_FAILURES are checked before the account
is locked. Wrong codes count as wrong passwords do. Each TOTP code is accepted once, by one
request. Every refusal reads the same and costs the same argon2 check, whether or not the
account exists or is locked. A session before its second factor lasts PRE_FACTOR.

There is no default account or password: accounts are made with
`python -m channels.console add-staff`. A session token is given to the browser once;
the database keeps only its SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from privacy.clock import Clock, as_utc
from privacy.compliance.audit import AuditLog
from privacy.crypto.sealing import Sealer
from privacy.errors import InvalidInput, VaultError
from privacy.store.schema import staff_accounts, staff_sessions
from privacy.subjects.subjects import Subjects

ROLES = ("agent", "privacy_officer", "admin")
SECOND_FACTOR = ("privacy_officer", "admin")
MAX_FAILURES = 5
LOCK_OUT = timedelta(minutes=15)
SESSION_IDLE = timedelta(minutes=30)
SESSION_MAX = timedelta(hours=12)
PRE_FACTOR = timedelta(minutes=5)  # a session waiting for its second factor
REFUSED = (
    "That name and password did not work. After several failed attempts the account waits "
    "15 minutes before it can try again."
)
MIN_PASSWORD = 12
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))  # equal work when the name is unknown


class LoginFailed(VaultError):
    """Wrong name or password (the same message for both), or a locked account."""


@dataclass(frozen=True)
class Staff:
    id: str
    username: str
    role: str

    @property
    def actor(self) -> str:
        """How the audit log names them."""
        return f"staff:{self.username}"


@dataclass(frozen=True)
class Session:
    staff: Staff
    csrf: str
    verified: bool  # the second factor, where the role needs one


class StaffAccounts:
    def __init__(self, data: Engine, clock: Clock, sealer: Sealer, audit: AuditLog, subjects: Subjects):
        self.data = data
        self.now = clock
        self.sealer = sealer
        self.audit = audit
        self.subjects = subjects

    def add(self, username: str, role: str, password: str) -> Optional[str]:
        """Create an account; returns the TOTP secret to enrol when the role needs a second factor."""
        if role not in ROLES:
            raise InvalidInput(f"Unknown role {role!r}; one of {', '.join(ROLES)}.")
        if len(password) < MIN_PASSWORD:
            raise InvalidInput(f"Use a password of at least {MIN_PASSWORD} characters.")
        staff_id = f"st_{uuid.uuid4().hex[:16]}"
        totp = pyotp.random_base32() if role in SECOND_FACTOR else None
        subject_id = self.subjects.create("staff")  # its key seals the TOTP secret
        sealed = self.sealer.seal(subject_id, "staff_accounts", "totp", staff_id, totp) if totp else None
        try:
            with self.data.begin() as db:
                db.execute(
                    insert(staff_accounts).values(
                        id=staff_id,
                        username=username,
                        role=role,
                        subject_id=subject_id,
                        password_hash=_hasher.hash(password),
                        totp_secret=sealed,
                        failures=0,
                        created_at=self.now(),
                    )
                )
        except IntegrityError:
            raise InvalidInput(f"There is already an account named {username!r}.") from None
        self.audit.append("system", "staff.add", None, f"{role} account", {"staff": username})
        return totp

    def login(self, username: str, password: str) -> Staff:
        """The account, if the password is right and the account may try; raises LoginFailed
        (REFUSED, whatever the reason) otherwise."""
        with self.data.connect() as db:
            row = db.execute(select(staff_accounts).where(staff_accounts.c.username == username)).first()
        may_try = row is not None and self._attempt(row.id)
        right = _verify(row.password_hash if may_try else _DUMMY_HASH, password) and may_try
        if row is not None:
            outcome = "staff.login" if right else "staff.login_failed" if may_try else "staff.login_locked"
            self.audit.append(f"staff:{username}", outcome, None, "password")
        if not right:
            raise LoginFailed(REFUSED)
        self._succeeded(row.id)
        return Staff(row.id, row.username, row.role)

    def _attempt(self, staff_id: str) -> bool:
        """Count one attempt before it is checked; False when the account is locked (this attempt
        locks it when it is one too many)."""
        now = self.now()
        with self.data.begin() as db:
            counted = db.execute(
                update(staff_accounts)
                .where(staff_accounts.c.id == staff_id)
                .where((staff_accounts.c.locked_until.is_(None)) | (staff_accounts.c.locked_until <= now))
                .values(failures=staff_accounts.c.failures + 1, locked_until=None)
            ).rowcount
            if not counted:
                return False
            failures = db.execute(select(staff_accounts.c.failures).where(staff_accounts.c.id == staff_id)).scalar()
            if failures > MAX_FAILURES:
                db.execute(
                    update(staff_accounts)
                    .where(staff_accounts.c.id == staff_id)
                    .values(failures=0, locked_until=now + LOCK_OUT)
                )
                return False
        return True

    def _succeeded(self, staff_id: str) -> None:
        with self.data.begin() as db:
            db.execute(update(staff_accounts).where(staff_accounts.c.id == staff_id).values(failures=0))

    def check_code(self, staff: Staff, code: str) -> bool:
        """Whether `code` is the account's current TOTP code (one step of clock drift allowed),
        not used before: each time step's code is accepted once, by one request. A wrong code
        counts toward the lock-out as a wrong password does."""
        if not self._attempt(staff.id):
            self.audit.append(staff.actor, "staff.second_factor_locked", None, "TOTP code")
            return False
        with self.data.connect() as db:
            row = db.execute(
                select(staff_accounts.c.totp_secret, staff_accounts.c.totp_step).where(staff_accounts.c.id == staff.id)
            ).first()
        step = None
        if row and row.totp_secret:
            totp = pyotp.TOTP(self.sealer.open(row.totp_secret, "staff_accounts", "totp", staff.id))
            moments = (self.now() + timedelta(seconds=totp.interval * drift) for drift in (-1, 0, 1))
            step = next((totp.timecode(moment) for moment in moments if totp.at(moment) == code.strip()), None)
        ok = step is not None and self._use_step(staff.id, step)
        if ok:
            self._succeeded(staff.id)
        self.audit.append(staff.actor, "staff.second_factor" if ok else "staff.second_factor_failed", None, "TOTP code")
        return ok

    def _use_step(self, staff_id: str, step: int) -> bool:
        """Mark the code of `step` used; False when it (or a later one) was used already."""
        account = staff_accounts.c
        with self.data.begin() as db:
            return bool(
                db.execute(
                    update(staff_accounts)
                    .where(account.id == staff_id, (account.totp_step.is_(None)) | (account.totp_step < step))
                    .values(totp_step=step)
                ).rowcount
            )

    # -- sessions --------------------------------------------------------------------------
    def start_session(self, staff: Staff, verified: bool) -> str:
        """A new session; returns the token for the browser's cookie."""
        token, now = secrets.token_urlsafe(32), self.now()
        with self.data.begin() as db:
            db.execute(
                insert(staff_sessions).values(
                    id=_digest(token),
                    staff_id=staff.id,
                    csrf=secrets.token_urlsafe(24),
                    verified=verified,
                    created_at=now,
                    last_seen=now,
                )
            )
        return token

    def session(self, token: str, activity: bool = True) -> Optional[Session]:
        """The live session of `token`, or None: it ends after 30 idle minutes and after 12 hours,
        and before its second factor after PRE_FACTOR. Only the staff member's `activity` resets
        the idle time (a page polling by itself does not)."""
        if not token:
            return None
        now = self.now()
        with self.data.begin() as db:
            row = db.execute(
                select(staff_sessions, staff_accounts.c.username, staff_accounts.c.role)
                .join(staff_accounts, staff_accounts.c.id == staff_sessions.c.staff_id)
                .where(staff_sessions.c.id == _digest(token))
            ).first()
            if row is None or as_utc(row.last_seen) < now - SESSION_IDLE or as_utc(row.created_at) < now - SESSION_MAX:
                return None
            if not row.verified and as_utc(row.created_at) < now - PRE_FACTOR:
                return None
            if activity:
                db.execute(update(staff_sessions).where(staff_sessions.c.id == row.id).values(last_seen=now))
        return Session(Staff(row.staff_id, row.username, row.role), row.csrf, row.verified)

    def mark_verified(self, token: str) -> None:
        with self.data.begin() as db:
            db.execute(update(staff_sessions).where(staff_sessions.c.id == _digest(token)).values(verified=True))

    def end_session(self, token: str) -> None:
        with self.data.begin() as db:
            db.execute(delete(staff_sessions).where(staff_sessions.c.id == _digest(token)))

    def end_sessions(self, staff: Staff, keep: str = "") -> int:
        """End the staff member's sessions everywhere (but the one of `keep`); how many ended."""
        with self.data.begin() as db:
            others = (staff_sessions.c.staff_id == staff.id, staff_sessions.c.id != _digest(keep))
            ended = db.execute(delete(staff_sessions).where(*others)).rowcount
        self.audit.append(staff.actor, "staff.sessions_ended", None, "log out everywhere", {"sessions": ended})
        return ended


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except VerificationError:
        return False
