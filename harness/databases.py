"""Fresh vault databases for tests: SQLite files, or new PostgreSQL databases.

PostgreSQL is the server at TEST_POSTGRES_URL (default: this machine's, trust auth) and
Redis the one at TEST_REDIS_URL; .ci/run starts them where they are not running. Each
test gets its own databases (and its own Redis key prefix); the production profile's stack
also its own roles (and its own redis-server, harness/servers.py).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _admin():
    return create_engine(ADMIN_URL, future=True, isolation_level="AUTOCOMMIT")


def postgres_available() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        with _admin().connect() as db:
            db.execute(text("SELECT 1"))
        return None
    except Exception as error:  # any connection problem means: not available
        return f"PostgreSQL is not reachable at {ADMIN_URL} ({type(error).__name__}); .ci/run starts it"


def redis_available() -> str | None:
    """None when Redis answers, else why not."""
    from runtime.serve import redis_unreachable

    reason = redis_unreachable(REDIS_URL)
    return f"Redis is not reachable at {REDIS_URL} ({reason}); .ci/run starts it" if reason else None


def create_pg_database(name: str, template: str | None = None) -> str:
    with _admin().connect() as db:
        db.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(name: str) -> None:
    with _admin().connect() as db:
        db.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def vault_urls(backend: str, directory: Path) -> Iterator[tuple[str, str]]:
    """(DATABASE_URL, KEYSTORE_URL) of two new, empty databases."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'vault.db'}", f"sqlite:///{directory / 'keystore.db'}"
        return
    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    names = [f"ht_{part}_{uuid.uuid4().hex[:12]}" for part in ("data", "keys")]
    try:
        yield tuple(create_pg_database(name) for name in names)
    finally:
        for name in names:
            drop_pg_database(name)


@contextmanager
def production_roles() -> Iterator[dict[str, str]]:
    """The production profile's PostgreSQL settings for one stack: the admin URL, two databases and
    two roles (the application role, the migration role) of its own with fresh passwords. The
    profile's preflight creates them (runtime/database_roles.py); they are dropped afterwards."""
    tag = uuid.uuid4().hex[:12]
    app, migration, names = f"ht_app_{tag}", f"ht_migrate_{tag}", [f"ht_data_{tag}", f"ht_keys_{tag}"]
    url = make_url(ADMIN_URL).set(username=app, password=None)
    try:
        yield {
            "POSTGRES_ADMIN_URL": ADMIN_URL,
            "DATABASE_URL": url.set(database=names[0]).render_as_string(hide_password=False),
            "KEYSTORE_URL": url.set(database=names[1]).render_as_string(hide_password=False),
            "DATABASE_PASSWORD": secrets.token_urlsafe(24),
            "MIGRATION_ROLE": migration,
            "MIGRATION_PASSWORD": secrets.token_urlsafe(24),
        }
    finally:
        for name in names:
            drop_pg_database(name)
        with _admin().connect() as db:
            for role in (app, migration):
                db.execute(text(f'DROP ROLE IF EXISTS "{role}"'))


@contextmanager
def fresh_data_url(like: str, directory: Path) -> Iterator[str]:
    """A new, empty database of the same kind as the one at `like`."""
    directory.mkdir(exist_ok=True)
    with vault_urls("sqlite" if like.startswith("sqlite") else "postgresql", directory) as (data_url, _):
        yield data_url


def stored_bytes(stack) -> bytes:
    """Every byte the stack's vault keeps on disk (SQLite files, or a dump of PostgreSQL), to search for plaintext."""
    urls = (stack.env["DATABASE_URL"], stack.env["KEYSTORE_URL"])
    if urls[0].startswith("sqlite"):
        files = [p for url in urls for p in _sqlite_files(url)]
        return b"".join(p.read_bytes() for p in files)
    return b"".join(subprocess.run(["pg_dump", url], capture_output=True, check=True).stdout for url in urls)


def _sqlite_files(url):
    base = Path(url.removeprefix("sqlite:///"))
    return [p for p in base.parent.iterdir() if p.name.startswith(base.name)]
