"""The audit trail: append-only entries, each chained to the one before by a keyed hash.

Every read of health data, change, export, deletion and key operation writes one
entry: who (patient, staff:<name>, system), what, which subject (pseudonymous id),
why and when. The hash is an HMAC under a key derived from VAULT_INDEX_KEY, so
someone who can write to the database but lacks that key cannot rebuild the chain;
the chain's length and latest hash are also kept in the key store, so removing the
newest entries shows. `verify` names the first entry that was changed, removed or
reordered. Concurrent writers cannot fork the chain: on PostgreSQL, appends from
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
from typing import Any, Callable, Iterator, Optional

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from privacy.clock import as_utc
from privacy.crypto.indexer import Indexer
from privacy.store.schema import audit_head, audit_log

GENESIS = "0" * 64
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


class AuditLog:
    def __init__(self, data: Engine, keys: Engine, indexer: Indexer, clock: Callable[[], datetime]):
        self.data, self.keys, self.indexer, self.clock = data, keys, indexer, clock
        self._lock = threading.Lock()

    def _hash(
        self,
        seq: int,
        at: datetime,
        actor: str,
        action: str,
        subject: Optional[str],
        reason: str,
        detail: str,
        prev_hash: str,
    ) -> str:
        content = json.dumps([seq, at.isoformat(), actor, action, subject, reason, detail, prev_hash])
        return self.indexer.digest("audit chain", content)

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
        detail_text = json.dumps(detail or {}, sort_keys=True)
        at = self.clock().astimezone(timezone.utc).replace(microsecond=0)
        last = db.execute(select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)).first()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        entry_hash = self._hash(seq, at, actor, action, subject, reason, detail_text, prev)
        db.execute(
            insert(audit_log).values(
                seq=seq,
                at=at,
                actor=actor,
                action=action,
                subject=subject,
                reason=reason,
                detail=detail_text,
                prev_hash=prev,
                hash=entry_hash,
            )
        )
        return seq, entry_hash

    def _advance_head(self, seq: int, entry_hash: str) -> None:
        """Move the checkpoint forward (never back: appends may finish out of order)."""
        with self.keys.begin() as db:
            db.execute(update(audit_head).where(audit_head.c.length < seq).values(length=seq, hash=entry_hash))

    def rebase_head(self) -> int:
        """After a restore: move the checkpoint to the restored chain's end; returns the
        number of entries written after the backup, which the restore lost."""
        with self.data.connect() as db:
            last = db.execute(
                select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
            ).first()
        with self.keys.begin() as db:
            head = db.execute(select(audit_head.c.length)).first()
            db.execute(update(audit_head).values(length=last[0] if last else 0, hash=last[1] if last else GENESIS))
        return max(0, (head[0] if head else 0) - (last[0] if last else 0))

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
        """Walk the chain from the start; name the first entry changed, removed or reordered."""
        with self.keys.connect() as db:
            head = db.execute(select(audit_head)).first()
        if head is None:
            return Verdict(False, 0, None, "the checkpoint in the key store was removed")
        expected_seq, prev = head.base_seq + 1, head.base_hash
        hashes: dict[int, str] = {}
        with self.data.connect() as db:
            rows = [row._mapping for row in db.execute(select(audit_log).order_by(audit_log.c.id))]
        for entry in rows:
            if entry["prev_hash"] != prev or entry["seq"] != expected_seq:
                removed = entry["seq"] > expected_seq and entry["prev_hash"] != prev
                problem = (
                    f"entry {expected_seq} is missing (removed)"
                    if removed
                    else "entries are out of order or an entry was inserted"
                )
                return Verdict(False, len(hashes), entry["seq"], problem)
            recomputed = self._hash(
                entry["seq"],
                as_utc(entry["at"]),
                entry["actor"],
                entry["action"],
                entry["subject"],
                entry["reason"],
                entry["detail"],
                entry["prev_hash"],
            )
            if recomputed != entry["hash"]:
                return Verdict(False, len(hashes), entry["seq"], "its content was changed")
            hashes[entry["seq"]] = prev = entry["hash"]
            expected_seq += 1
        if head.length >= expected_seq:
            return Verdict(
                False, len(hashes), expected_seq, f"the newest entries, {expected_seq} to {head.length}, were removed"
            )
        if head.length > head.base_seq and hashes.get(head.length) != head.hash:
            return Verdict(False, len(hashes), head.length, "it does not match the checkpoint in the key store")
        return Verdict(True, len(hashes))
