"""AES-256-GCM envelope encryption.

A record is encrypted with its subject's data key; data keys are wrapped by a
key-encryption key (KEK) from the key ring. A ciphertext is

    version (1 byte) | data key id (16 bytes) | data key version (4 bytes) | nonce (12) | sealed

and its associated data is that header plus "table|column|row", so a ciphertext
copied into another row or column, or altered by one bit, does not decrypt.
"""

from __future__ import annotations

import os
import struct
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from privacy.errors import TamperedError

FORMAT_VERSION = 1
_HEADER = struct.Struct(">B16sI")
NONCE_BYTES = 12


def new_key() -> bytes:
    """A fresh random 256-bit key."""
    return AESGCM.generate_key(bit_length=256)


def place(table: str, column: str, row: str) -> bytes:
    """Associated data naming where a ciphertext belongs."""
    return f"{table}|{column}|{row}".encode()


@dataclass(frozen=True)
class Header:
    key_id: uuid.UUID
    key_version: int


def read_header(blob: bytes) -> Header:
    """The data key a ciphertext names, without decrypting it."""
    if len(blob) < _HEADER.size + NONCE_BYTES + 16:
        raise TamperedError("The value is not a vault ciphertext (too short).")
    version, key_id, key_version = _HEADER.unpack_from(blob)
    if version != FORMAT_VERSION:
        raise TamperedError(f"The value is not a vault ciphertext (format {version}).")
    return Header(uuid.UUID(bytes=key_id), key_version)


def seal(data_key: bytes, key_id: uuid.UUID, key_version: int, plaintext: bytes, where: bytes) -> bytes:
    """Encrypt `plaintext` for the place `where` (see `place`)."""
    header = _HEADER.pack(FORMAT_VERSION, key_id.bytes, key_version)
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + AESGCM(data_key).encrypt(nonce, plaintext, header + b"|" + where)


def open_sealed(data_key: bytes, blob: bytes, where: bytes) -> bytes:
    """Decrypt a ciphertext made by `seal` for the same place, or raise TamperedError."""
    header = blob[: _HEADER.size]
    nonce = blob[_HEADER.size : _HEADER.size + NONCE_BYTES]
    try:
        return AESGCM(data_key).decrypt(nonce, blob[_HEADER.size + NONCE_BYTES :], header + b"|" + where)
    except InvalidTag:
        raise TamperedError(
            f"A ciphertext does not belong at {where.decode(errors='replace')} or was altered."
        ) from None
