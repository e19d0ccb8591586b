"""Engines for the data database and the key store: SQLite (default) or PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from privacy.store.private_files import create_private


def make_engine(url: str, *, key_store: bool = False, password: str = "") -> Engine:
    """An engine for `url`. On SQLite: the file created with mode 0600, foreign keys on, deleted
    content overwritten (secure_delete); the data in WAL mode for speed; the key store with a
    rollback journal, so that no old copy of a destroyed key lingers in a write-ahead log. On
    PostgreSQL, `password` is sent apart from the URL, so that the URL can be shown."""
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            create_private(Path(database))
        engine = create_engine(url, future=True, connect_args={"check_same_thread": False, "timeout": 30})
        journal = "DELETE" if key_store else "WAL"

        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record):
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute(f"PRAGMA journal_mode={journal}")
            cursor.execute("PRAGMA synchronous=FULL" if key_store else "PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(
        url,
        future=True,
        pool_pre_ping=True,
        connect_args={"password": password} if password else {},
        # sizing: .env.example
        pool_size=int(os.environ.get("DB_POOL_SIZE", "4")),
        max_overflow=int(os.environ.get("DB_MAX_OVERFLOW", "4")),
    )
