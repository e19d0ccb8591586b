"""Writes the development .env: fresh random secrets for every variable that has none.

Existing values are never changed, so a .env can be edited by hand and is
completed, not replaced, when a new secret is introduced.
Run: python -m runtime.envfile [path]
"""

from __future__ import annotations

import base64
import os
import secrets
import sys
from datetime import datetime, timezone
from pathlib import Path

from dotenv import dotenv_values

from privacy.store.private_files import open_private


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


# Secrets generated for development; each is documented in .env.example.
GENERATED = {
    "ACTION_SERVER_TOKEN": lambda: secrets.token_urlsafe(32),
    "IDENTITY_SEAL_KEY": lambda: secrets.token_urlsafe(32),
    "RASA_API_TOKEN": lambda: secrets.token_urlsafe(32),
    "REST_CLIENT_TOKEN": lambda: secrets.token_urlsafe(32),
    "VAULT_KEYS": lambda: f"kek-{datetime.now(timezone.utc):%Y%m%d%H%M%S}-{os.urandom(2).hex()}:{_key()}",
    "VAULT_INDEX_KEY": _key,
    "VAULT_AUDIT_KEY": _key,
    # Signs SMS webhook requests; a real deployment sets Twilio's auth token instead.
    "TWILIO_AUTH_TOKEN": lambda: secrets.token_hex(16),
    "WIDGET_SECRET": lambda: secrets.token_urlsafe(32),
    # The production profile's PostgreSQL roles (runtime/database_roles.py) and its Redis.
    "DATABASE_PASSWORD": lambda: secrets.token_urlsafe(32),
    "MIGRATION_PASSWORD": lambda: secrets.token_urlsafe(32),
    "REDIS_PASSWORD": lambda: secrets.token_urlsafe(32),
}


def ensure_env_file(path: Path) -> list[str]:
    """Add a fresh value for each missing secret to `path` (created with mode 0600); return the names added."""
    existing = dotenv_values(path) if path.exists() else {}
    missing = [name for name in GENERATED if not existing.get(name)]
    if missing:
        lines = [f"{name}={GENERATED[name]()}" for name in missing]
        prefix = "" if not path.exists() or path.read_text().endswith("\n") else "\n"
        with open_private(path, "a") as env:
            env.write(prefix + "\n".join(lines) + "\n")
    return missing


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".env")
    added = ensure_env_file(path)
    print(f"{path}: generated {', '.join(added)}" if added else f"{path}: up to date")


if __name__ == "__main__":
    main()
