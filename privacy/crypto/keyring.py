"""The key-encryption keys (KEKs) that wrap every data key: a provider interface, and the
key ring read from VAULT_KEYS that implements it."""

from __future__ import annotations

import os
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from privacy.crypto.envelope import NONCE_BYTES
from privacy.errors import ConfigurationError, TamperedError


class KeyProvider(Protocol):
    """Holds the key-encryption keys. The environment provides them today; a KMS can later."""

    @property
    def active_key_id(self) -> str: ...

    def key_ids(self) -> list[str]: ...

    def wrap(self, data_key: bytes, aad: bytes) -> tuple[str, bytes]: ...

    def unwrap(self, kek_id: str, wrapped: bytes, aad: bytes) -> bytes:
        """Raises TamperedError when `wrapped` does not open with `aad` under the key `kek_id`."""
        ...


class KeyRing:
    """Key-encryption keys held in memory, read from VAULT_KEYS; the last one is active."""

    def __init__(self, keys: dict[str, bytes]):
        if not keys:
            raise ConfigurationError("The key ring is empty: VAULT_KEYS names no key.")
        self._keys = dict(keys)

    @property
    def active_key_id(self) -> str:
        return list(self._keys)[-1]

    def key_ids(self) -> list[str]:
        return list(self._keys)

    def wrap(self, data_key: bytes, aad: bytes) -> tuple[str, bytes]:
        kek_id = self.active_key_id
        nonce = os.urandom(NONCE_BYTES)
        return kek_id, nonce + AESGCM(self._keys[kek_id]).encrypt(nonce, data_key, aad)

    def unwrap(self, kek_id: str, wrapped: bytes, aad: bytes) -> bytes:
        if kek_id not in self._keys:
            raise ConfigurationError(f"Key-encryption key {kek_id!r} is not in VAULT_KEYS.")
        try:
            return AESGCM(self._keys[kek_id]).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
        except InvalidTag:
            raise TamperedError(f"A value wrapped by key-encryption key {kek_id!r} does not open.") from None
