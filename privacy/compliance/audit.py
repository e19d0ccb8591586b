"""The audit trail: append-only entries, each chained to the one before by a keyed hash.

Every read of health data, change, export, deletion and key operation writes one
entry: who (patient, staff:<name>, system), what, which subject (pseudonymous id),
why and when. The hash is an HMAC under a key derived from VAULT_AUDIT_KEY, which only
the processes that append hold, so someone who can write to the database but lacks that
key cannot rebuild the chain. Entries written before that key existed were hashed under
one derived from VAULT_INDEX_KEY; the key store records, sealed with the audit key, the
first entry hashed with it and the hash of the one before, so the older part cannot be
rebuilt either. The chain's length and latest hash are also kept in the key store, so
removing the newest entries shows. `verify` names the first entry that was changed,
removed or reordered. Concurrent writers cannot fork the chain: on PostgreSQL, appends from
every process take one advisory lock (held until their transaction ends), so they
happen one after the other; and prev_hash is unique, so a writer that still loses
a race (SQLite) retries after the new last entry.
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterator, Mapping, Optional

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from privacy.clock import as_utc
from privacy.crypto.indexer import Indexer
from privacy.store.schema import audit_head, audit_log

GENESIS = "0" * 64
CHAIN = "audit chain"  # the purpose of the entries' derived key (under either secret)
_RETRIES = 20
APPEND_LOCK = 0x6175646974  # PostgreSQL advisory lock key of the appends ("audit")


@dataclass(frozen=True)
class Verdict:
    ok: bool
    entries: int
    first_bad: Optional[int] = None
    problem: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.entries} entries"
        return f"audit chain broken at entry {self.first_bad}: {self.problem}"


def _hash(key: Indexer, entry: Mapping[str, Any]) -> str:
    """The keyed hash of an entry's content, which includes the previous entry's hash."""
    fields = ("actor", "action", "subject", "reason", "detail", "prev_hash")
    content = json.dumps([entry["seq"], as_utc(entry["at"]).isoformat(), *(entry[name] for name in fields)])
    return key.digest(CHAIN, content)


class AuditLog:
    def __init__(
        self, data: Engine, keys: Engine, audit_key: Indexer, index_key: Indexer, clock: Callable[[], datetime]
    ):
        """`audit_key` hashes the entries; `index_key` checks those written before the audit key started."""
        self.data, self.keys, self.clock = data, keys, clock
        self.audit_key, self.index_key = audit_key, index_key
        self._lock = threading.Lock()

    def append(
        self,
        actor: str,
        action: str,
        subject: Optional[str] = None,
        reason: str = "",
        detail: Optional[dict[str, Any]] = None,
    ) -> int:
        """Add one entry; returns its sequence number."""
        with self._lock:
            for _ in range(_RETRIES):
                with self.data.connect() as db:
                    try:
                        seq, entry_hash = self._insert(db, actor, action, subject, reason, detail)
                        db.commit()
                    except IntegrityError:
                        db.rollback()
                        continue
                self._advance_head(seq, entry_hash)
                return seq
        raise RuntimeError("The audit log is too busy to append; try again.")

    @contextmanager
    def transaction(self) -> Iterator[tuple[Connection, Callable[..., int]]]:
        """A data transaction whose audit entries are written inside it: the change and its entries
        land together or not at all. Yields the connection and `record(actor, action, subject,
        reason, detail)`."""
        with self._lock:
            written: list[tuple[int, str]] = []
            with self.data.begin() as db:

                def record(actor, action, subject=None, reason="", detail=None) -> int:
                    written.append(self._insert(db, actor, action, subject, reason, detail))
                    return written[-1][0]

                yield db, record
            if written:
                self._advance_head(*written[-1])

    def _insert(self, db: Connection, actor, action, subject, reason, detail) -> tuple[int, str]:
        """Write the next entry of the chain in `db`'s transaction; returns its number and hash."""
        if db.dialect.name == "postgresql":
            db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK})
        last = _last(db)
        entry = dict(
            seq=last.seq + 1 if last else 1,
            at=self.clock().astimezone(timezone.utc).replace(microsecond=0),
            actor=actor,
            action=action,
            subject=subject,
            reason=reason,
            detail=json.dumps(detail or {}, sort_keys=True),
            prev_hash=last.hash if last else GENESIS,
        )
        entry["hash"] = _hash(self.audit_key, entry)
        db.execute(insert(audit_log).values(**entry))
        return entry["seq"], entry["hash"]

    def _advance_head(self, seq: int, entry_hash: str) -> None:
        """Move the checkpoint forward (never back: appends may finish out of order)."""
        with self.keys.begin() as db:
            db.execute(update(audit_head).where(audit_head.c.length < seq).values(length=seq, hash=entry_hash))

    def start_audit_key(self) -> None:
        """The vault's upgrade: record, sealed with the audit key, that it hashes the entries from
        the chain's end on (once; the older entries were hashed under the index key)."""
        with self.keys.connect() as db:
            head = db.execute(select(audit_head)).first()
        if head is None or head.audit_key_seal is not None:
            return
        with self.data.connect() as db:
            seq, after = _last(db) or (head.base_seq, head.base_hash)
        with self.keys.begin() as db:
            db.execute(update(audit_head).where(audit_head.c.audit_key_seal.is_(None)).values(self._start(seq, after)))

    def _start(self, seq: int, after: str) -> dict[str, Any]:
        """The audit key's start after entry `seq`, whose hash is `after`, and its seal."""
        return dict(audit_key_from=seq + 1, audit_key_after=after, audit_key_seal=self._seal(seq + 1, after))

    def _seal(self, start: Optional[int], after: Optional[str]) -> str:
        """The audit key's HMAC of its start: the first entry hashed with it, the hash before."""
        return self.audit_key.digest("audit key start", json.dumps([start, after]))

    def rebase_head(self) -> int:
        """After a restore: move the checkpoint to the restored chain's end (and the audit key's
        start there, if the backup is older than it); returns the number of entries written after
        the backup, which the restore lost."""
        with self.data.connect() as db:
            seq, last_hash = _last(db) or (0, GENESIS)
        with self.keys.begin() as db:
            head = db.execute(select(audit_head)).first()
            values = dict(length=seq, hash=last_hash)
            if head and head.audit_key_seal and head.audit_key_from > seq + 1:
                values.update(self._start(seq, last_hash))
            db.execute(update(audit_head).values(values))
        return max(0, (head.length if head else 0) - seq)

    def expire(self, before: datetime) -> int:
        """Remove the entries older than `before` (retention); the chain then starts after them."""
        with self.data.begin() as db:
            last = db.execute(
                select(audit_log.c.seq, audit_log.c.hash)
                .where(audit_log.c.at < before)
                .order_by(audit_log.c.seq.desc())
                .limit(1)
            ).first()
            if last is None:
                return 0
            removed = db.execute(delete(audit_log).where(audit_log.c.seq <= last.seq)).rowcount
        with self.keys.begin() as db:
            db.execute(update(audit_head).values(base_seq=last.seq, base_hash=last.hash))
        return removed

    def count(self, action: str, subject: Optional[str] = None) -> int:
        """How many entries record `action` (for one subject, or in all)."""
        query = select(func.count()).select_from(audit_log).where(audit_log.c.action == action)
        if subject:
            query = query.where(audit_log.c.subject == subject)
        with self.data.connect() as db:
            return db.execute(query).scalar()

    def entries(self, subject: Optional[str] = None, limit: int = 100) -> list[dict[str, Any]]:
        """The newest entries, optionally for one subject."""
        query = select(audit_log).order_by(audit_log.c.seq.desc()).limit(limit)
        if subject:
            query = query.where(audit_log.c.subject == subject)
        with self.data.connect() as db:
            return [dict(row._mapping) for row in db.execute(query)]

    def verify(self) -> Verdict:
        """Walk the chain from its base; name the first entry changed, removed or reordered."""
        with self.keys.connect() as db:
            head = db.execute(select(audit_head)).first()
        if head is None:
            return Verdict(False, 0, None, "the checkpoint in the key store was removed")
        if head.audit_key_seal != self._seal(head.audit_key_from, head.audit_key_after):
            return Verdict(False, 0, None, "the audit key's start in the key store is missing or was changed")
        expected_seq, prev = head.base_seq + 1, head.base_hash
        hashes: dict[int, str] = {}
        with self.data.connect() as db:
            rows = [row._mapping for row in db.execute(select(audit_log).order_by(audit_log.c.id))]
        for entry in rows:
            problem = _link_problem(entry, expected_seq, prev) or self._content_problem(head, entry)
            if problem:
                return Verdict(False, len(hashes), entry["seq"], problem)
            hashes[entry["seq"]] = prev = entry["hash"]
            expected_seq += 1
        return _end_verdict(head, expected_seq, prev, hashes)

    def _content_problem(self, head, entry: Mapping[str, Any]) -> str:
        """What is wrong with an entry's hash ("" if nothing), under the key it was written with."""
        key = self.audit_key if entry["seq"] >= head.audit_key_from else self.index_key
        return "" if _hash(key, entry) == entry["hash"] else "its content was changed"


def _last(db: Connection):
    """The newest entry's seq and hash, or None."""
    return db.execute(select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)).first()


def _link_problem(entry: Mapping[str, Any], expected_seq: int, prev: str) -> str:
    """What is wrong with an entry's place in the chain ("" if nothing)."""
    if entry["prev_hash"] == prev and entry["seq"] == expected_seq:
        return ""
    if entry["seq"] > expected_seq and entry["prev_hash"] != prev:
        return f"entry {expected_seq} is missing (removed)"
    return "entries are out of order or an entry was inserted"


def _end_verdict(head, expected_seq: int, prev: str, hashes: dict[int, str]) -> Verdict:
    """The verdict on a chain walked to its end at `expected_seq` - 1: the checkpoint and the
    audit key's start must both be reached, as the key store recorded them."""
    entries = len(hashes)
    if head.length >= expected_seq:
        return Verdict(
            False, entries, expected_seq, f"the newest entries, {expected_seq} to {head.length}, were removed"
        )
    if head.length > head.base_seq and hashes.get(head.length) != head.hash:
        return Verdict(False, entries, head.length, "it does not match the checkpoint in the key store")
    if expected_seq < head.audit_key_from:
        return Verdict(False, entries, expected_seq, "the entries before the audit key's start were removed")
    if expected_seq == head.audit_key_from and prev != head.audit_key_after:
        return Verdict(False, entries, expected_seq - 1, "the entries before the audit key's start were changed")
    return Verdict(True, entries)
