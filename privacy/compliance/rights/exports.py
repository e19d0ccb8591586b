"""Portable copies of a patient's data, delivered through a download link that expires.

The content is encrypted with the patient's key; only a keyed hash of the link's token is
stored. The link alone releases nothing: the copy is given only with a fresh one-time code
sent to the patient's contact on file, so a link that was forwarded, logged or fetched by a
link preview is of no use to anyone else. Each code sent and each download is audited with a
keyed hash of the client's address.
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
from privacy.subjects.identity import Identity, VerificationFailed

GONE = "This download link is not valid or has expired; ask for a new copy."

LINK_LIFETIME = timedelta(minutes=30)


class Exports:
    def __init__(
        self, data: Engine, clock: Clock, indexer: Indexer, sealer: Sealer, audit: AuditLog, identity: Identity
    ):
        self.data = data
        self.now = clock
        self.indexer = indexer
        self.sealer = sealer
        self.audit = audit
        self.identity = identity

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

    def _live(self, token: str):
        """The export behind a link that has not expired (raises NotFound otherwise)."""
        with self.data.connect() as db:
            row = db.execute(select(exports).where(exports.c.token_hash == self._token_hash(token))).first()
        if row is None or as_utc(row.expires_at) < self.now():
            raise NotFound(GONE)
        return row

    def check(self, token: str) -> None:
        """Raise NotFound unless the link is live."""
        self._live(token)

    def send_code(self, token: str, client: str) -> str:
        """Send the patient a one-time code for this link's copy; returns the code's id."""
        row = self._live(token)
        code_id = self.identity.send_code(row.subject_id)
        self.audit.append("patient", "export.code_sent", row.subject_id, "download link opened", self._client(client))
        return code_id

    def fetch(self, token: str, code_id: str, code: str, client: str) -> str:
        """The copy behind a live link, for the code sent to its patient (raises NotFound or
        VerificationFailed otherwise)."""
        row = self._live(token)
        if self.identity.verify(code_id, code) != row.subject_id:
            raise VerificationFailed("That code was not sent for this copy.")
        content = self.sealer.open(row.content, "exports", "content", row.id)
        with self.data.begin() as db:
            db.execute(update(exports).where(exports.c.id == row.id).values(downloaded_at=self.now()))
        self.audit.append("patient", "export.download", row.subject_id, "download link used", self._client(client))
        return content

    def _client(self, address: str) -> dict[str, str]:
        return {"client": self.indexer.digest("client address", address)}
