"""The vault's settings, parsed from the environment that settings.py loads (.env in
development; .env.example documents them).

DATABASE_URL   the data: SQLite file under var/ by default, PostgreSQL in production
KEYSTORE_URL   the wrapped data keys, kept apart from the data and its backups
DATABASE_PASSWORD  the password of the role both URLs name (PostgreSQL), never written into them
MIGRATION_ROLE, MIGRATION_PASSWORD  the role that owns the tables, which migrations run as
VAULT_KEYS     the key-encryption keys: "id:base64key,id:base64key"; the last one is active
VAULT_INDEX_KEY  secret for blind indexes and pseudonymous ids (base64, 32 bytes)
VAULT_AUDIT_KEY  secret of the audit chain's HMAC (base64, 32 bytes)
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass, field
from typing import Mapping, Optional

from sqlalchemy.engine import make_url

import settings
from privacy.errors import ConfigurationError


def _decode_key(name: str, text: str) -> bytes:
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError(f"{name} is not valid base64.") from None
    if len(key) != 32:
        raise ConfigurationError(f"{name} must be 32 bytes (256 bits), found {len(key)}.")
    return key


def parse_key_ring(text: str) -> dict[str, bytes]:
    """Parse VAULT_KEYS ("id:base64,id:base64"); order is kept, the last key is active."""
    ring: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id:
            raise ConfigurationError('VAULT_KEYS must look like "key-id:base64key,key-id:base64key".')
        ring[key_id] = _decode_key(f"VAULT_KEYS key {key_id}", encoded)
    return ring


@dataclass(frozen=True)
class VaultConfig:
    database_url: str
    keystore_url: str
    key_ring: dict[str, bytes]
    index_key: bytes
    audit_key: bytes
    database_password: str = field(default="", repr=False)

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None, *, owner: bool = False) -> "VaultConfig":
        """Read the settings (from os.environ, which holds the env file's too, or from `environ`);
        a missing key stops here, before anything is written. With `owner`, connect as the role that
        owns the tables (MIGRATION_ROLE, when set), as migrations do."""
        environ = os.environ if environ is None else environ
        var = settings.VAR
        var.mkdir(exist_ok=True)
        missing = [name for name in ("VAULT_KEYS", "VAULT_INDEX_KEY", "VAULT_AUDIT_KEY") if not environ.get(name)]
        if missing:
            raise ConfigurationError(
                f"{', '.join(missing)} must be set: `make run` writes the vault's keys to .env for "
                "development; in production they come from the secret store."
            )
        role = environ.get("MIGRATION_ROLE") if owner else None
        return cls(
            database_url=_as_role(environ.get("DATABASE_URL") or f"sqlite:///{var / 'vault.db'}", role),
            keystore_url=_as_role(environ.get("KEYSTORE_URL") or f"sqlite:///{var / 'keystore.db'}", role),
            key_ring=parse_key_ring(environ["VAULT_KEYS"]),
            index_key=_decode_key("VAULT_INDEX_KEY", environ["VAULT_INDEX_KEY"]),
            audit_key=_decode_key("VAULT_AUDIT_KEY", environ["VAULT_AUDIT_KEY"]),
            database_password=environ.get("MIGRATION_PASSWORD" if role else "DATABASE_PASSWORD", ""),
        )


def _as_role(url: str, role: Optional[str]) -> str:
    """`url` with `role` as its user (PostgreSQL only; SQLite has no roles)."""
    if not role or url.startswith("sqlite"):
        return url
    return make_url(url).set(username=role, password=None).render_as_string(hide_password=False)
