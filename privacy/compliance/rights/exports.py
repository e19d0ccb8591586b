"""Portable copies of a patient's data, delivered through a download link that expires.

The content is encrypted with the patient's key; only a keyed hash of the link's
token is stored. Each download is audited.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Optional

from sqlalchemy import insert, select, update

from privacy.clock import as_utc
from privacy.errors import NotFound
from privacy.store.schema import exports

if TYPE_CHECKING:
    from privacy.vault import Vault

LINK_LIFETIME = timedelta(days=7)


class Exports:
    def __init__(self, vault: "Vault"):
        self.vault = vault

    def _token_hash(self, token: str) -> str:
        return self.vault.indexer.digest("export link", token)

    def create(self, subject_id: str, content: str, *, request_id: Optional[str] = None) -> tuple[str, datetime]:
        """Store `content` for download; returns the link's secret token and when it expires."""
        token, export_id, now = secrets.token_urlsafe(32), f"e_{uuid.uuid4().hex}", self.vault.now()
        sealed = self.vault.sealer.seal(subject_id, "exports", "content", export_id, content)
        with self.vault.data.begin() as db:
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
        self.vault.audit.append("system", "export.create", subject_id, "portable copy", {"request": request_id})
        return token, now + LINK_LIFETIME

    def fetch(self, token: str) -> str:
        """The content behind a link, while it has not expired (raises NotFound otherwise)."""
        with self.vault.data.connect() as db:
            row = db.execute(select(exports).where(exports.c.token_hash == self._token_hash(token))).first()
        if row is None or as_utc(row.expires_at) < self.vault.now():
            raise NotFound("This download link is not valid or has expired; ask for a new copy.")
        content = self.vault.sealer.open(row.content, "exports", "content", row.id)
        with self.vault.data.begin() as db:
            db.execute(update(exports).where(exports.c.id == row.id).values(downloaded_at=self.vault.now()))
        self.vault.audit.append("patient", "export.download", row.subject_id, "download link used")
        return content
