"""What an attacker who can write to both of the vault's databases does, for the tests of what
that achieves: the audit chain recomputed under a key they hold."""

from __future__ import annotations

import json

from sqlalchemy import select, update

from privacy.clock import as_utc
from privacy.compliance.audit import GENESIS
from privacy.crypto.indexer import Indexer
from privacy.store.schema import audit_head, audit_log


def rebuild_chain(vault, secret: bytes, start: int = 1) -> None:
    """Recompute the hashes of the entries from `start` on as the audit chain derives its key from
    `secret`, link each to the one before, and move the key store's checkpoint to the new end.
    The entries' format is no secret: it is written out here as an attacker would."""
    key = Indexer(secret)
    with vault.data.begin() as db:
        rows = [dict(row._mapping) for row in db.execute(select(audit_log).order_by(audit_log.c.seq))]
        prev = next((row["hash"] for row in rows if row["seq"] == start - 1), GENESIS)
        for row in (row for row in rows if row["seq"] >= start):
            fields = [row[name] for name in ("actor", "action", "subject", "reason", "detail")]
            content = json.dumps([row["seq"], as_utc(row["at"]).isoformat(), *fields, prev])
            row["prev_hash"], row["hash"] = prev, key.digest("audit chain", content)
            db.execute(update(audit_log).where(audit_log.c.seq == row["seq"]).values(prev_hash=prev, hash=row["hash"]))
            prev = row["hash"]
    with vault.keys.begin() as db:
        db.execute(update(audit_head).values(length=rows[-1]["seq"], hash=rows[-1]["hash"]))
