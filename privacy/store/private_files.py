"""Files that hold secrets or patient data (.env, SQLite databases, backups, exports, the profile's
Redis configuration) are created readable and writable by their owner only (0600), by the call
that creates them: they never exist with a wider mode, whatever the umask."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

PRIVATE = 0o600


def open_private(path: Path, mode: str = "w") -> IO[str]:
    """`path` opened for writing ("w" truncates, "a" appends), created with mode 0600 when missing;
    an existing file that others may read is narrowed to 0600 before anything is written to it."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode == "a" else os.O_TRUNC)
    descriptor = os.open(path, flags, PRIVATE)
    if os.fstat(descriptor).st_mode & 0o077:
        os.fchmod(descriptor, PRIVATE)
    return os.fdopen(descriptor, mode)


def create_private(path: Path) -> None:
    """Create `path` empty with mode 0600 unless it exists (SQLite then opens it as a new database,
    and gives its journal and write-ahead log the same mode)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    except FileExistsError:
        pass
