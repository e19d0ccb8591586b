"""Portable copies of a patient's data, delivered through a download link that expires.

The content is encrypted with the patient's key; only a keyed hash of the link's
token is stored. Each download is audited.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from privacy.clock import Clock, as_utc
from privacy.compliance.audit import AuditLog
from privacy.crypto.indexer import Indexer
from privacy.crypto.sealing import Sealer
from privacy.errors import NotFound
from privacy.store.schema import exports

LINK_LIFETIME = timedelta(days=7)


class Exports:
    def __init__(self, data: Engine, clock: Clock, indexer: Indexer, sealer: Sealer, audit: AuditLog):
        self.data = data
        self.now = clock
        self.indexer = indexer
        self.sealer = sealer
        self.audit = audit

    def _token_hash(self, token: str) -> str:
        return self.indexer.digest("export link", token)

    def create(self, subject_id: str, content: str, *, request_id: Optional[str] = None) -> tuple[str, datetime]:
        """Store `content` for download; returns the link's secret token and when it expires."""
        token, export_id, now = secrets.token_urlsafe(32), f"e_{uuid.uuid4().hex}", self.now()
        sealed = self.sealer.seal(subject_id, "exports", "content", export_id, content)
        with self.data.begin() as db:
            db.execute(
                insert(exports).values(
                    id=export_id,
                    subject_id=subject_id,
                    request_id=request_id,
                    token_hash=self._token_hash(token),
                    content=sealed,
                    created_at=now,
                    expires_at=now + LINK_LIFETIME,
                )
            )
        self.audit.append("system", "export.create", subject_id, "portable copy", {"request": request_id})
        return token, now + LINK_LIFETIME

    def fetch(self, token: str) -> str:
        """The content behind a link, while it has not expired (raises NotFound otherwise)."""
        with self.data.connect() as db:
            row = db.execute(select(exports).where(exports.c.token_hash == self._token_hash(token))).first()
        if row is None or as_utc(row.expires_at) < self.now():
            raise NotFound("This download link is not valid or has expired; ask for a new copy.")
        content = self.sealer.open(row.content, "exports", "content", row.id)
        with self.data.begin() as db:
            db.execute(update(exports).where(exports.c.id == row.id).values(downloaded_at=self.now()))
        self.audit.append("patient", "export.download", row.subject_id, "download link used")
        return content
