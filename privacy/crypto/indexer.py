"""Keyed HMACs, one derived key per purpose: blind indexes and pseudonymous ids under
VAULT_INDEX_KEY, the audit chain under VAULT_AUDIT_KEY."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class Indexer:
    """Keyed HMACs under one secret, one derived key per purpose."""

    def __init__(self, secret: bytes):
        self._secret = secret
        self._keys: dict[str, bytes] = {}

    def _key(self, purpose: str) -> bytes:
        if purpose not in self._keys:
            hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"healthtigo {purpose}".encode())
            self._keys[purpose] = hkdf.derive(self._secret)
        return self._keys[purpose]

    def digest(self, purpose: str, value: str) -> str:
        """Hex HMAC-SHA256 of `value` under the key for `purpose`."""
        return hmac.new(self._key(purpose), value.encode(), hashlib.sha256).hexdigest()
