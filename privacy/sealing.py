"""Encrypting and decrypting one value in its place, with its subject's data key."""

from __future__ import annotations

from privacy import crypto
from privacy.keystore import MAIN, KeyStore


class Sealer:
    def __init__(self, keystore: KeyStore):
        self.keystore = keystore

    def seal(self, subject_id: str, table: str, column: str, row: str, value: str, scope: str = MAIN) -> bytes:
        key = self.keystore.for_subject(subject_id, scope)
        return crypto.seal(key.key, key.id, key.version, value.encode(), crypto.place(table, column, row))

    def open(self, blob: bytes, table: str, column: str, row: str) -> str:
        """Decrypt; raises TamperedError if the value was moved or altered, SubjectErased if shredded."""
        header = crypto.read_header(blob)
        key = self.keystore.get(header.key_id)
        return crypto.open_sealed(key.key, blob, crypto.place(table, column, row)).decode()
