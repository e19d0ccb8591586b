"""Encrypting and decrypting one value in its place, with its subject's data key."""

from __future__ import annotations

from privacy.crypto import envelope
from privacy.crypto.keystore import MAIN, KeyStore


class Sealer:
    def __init__(self, keystore: KeyStore):
        self.keystore = keystore

    def seal(self, subject_id: str, table: str, column: str, row: str, value: str, scope: str = MAIN) -> bytes:
        key = self.keystore.for_subject(subject_id, scope)
        return envelope.seal(key.key, key.id, key.version, value.encode(), envelope.place(table, column, row))

    def open(self, blob: bytes, table: str, column: str, row: str) -> str:
        """Decrypt; raises TamperedError if the value was moved or altered, SubjectErased if shredded."""
        header = envelope.read_header(blob)
        key = self.keystore.get(header.key_id)
        return envelope.open_sealed(key.key, blob, envelope.place(table, column, row)).decode()
