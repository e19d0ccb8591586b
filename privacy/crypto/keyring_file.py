"""Development key material in the env file (.env): new key-encryption keys on rotation.

In production the keys come from a secret store or KMS; there an operator adds the
new key to VAULT_KEYS and runs `rotate-keys` without --new-key.
"""

from __future__ import annotations

import base64
import os
from datetime import datetime, timezone
from pathlib import Path

from dotenv import get_key, set_key

from privacy.config import parse_key_ring
from privacy.crypto import envelope


def _write(env_file: Path, ring: dict[str, bytes]) -> str:
    value = ",".join(f"{key_id}:{base64.b64encode(key).decode()}" for key_id, key in ring.items())
    set_key(str(env_file), "VAULT_KEYS", value, quote_mode="never")
    os.environ["VAULT_KEYS"] = value
    return value


def add_key(env_file: Path) -> str:
    """Append a fresh key-encryption key to VAULT_KEYS (it becomes the active one); returns its id."""
    ring = parse_key_ring(get_key(str(env_file), "VAULT_KEYS") or os.environ.get("VAULT_KEYS", ""))
    key_id = f"kek-{datetime.now(timezone.utc):%Y%m%d%H%M%S}-{os.urandom(2).hex()}"
    ring[key_id] = envelope.new_key()
    _write(env_file, ring)
    return key_id


def remove_key(env_file: Path, key_id: str) -> None:
    """Drop a retired key from VAULT_KEYS."""
    ring = parse_key_ring(get_key(str(env_file), "VAULT_KEYS") or "")
    ring.pop(key_id, None)
    _write(env_file, ring)
