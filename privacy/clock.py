"""Time in the vault: always UTC. SQLite gives stored times back without their zone."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, Optional

# What the vault's parts are given to tell the time (tests pass a clock they move).
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: Optional[datetime]) -> Optional[datetime]:
    """A stored time as an aware UTC datetime."""
    if value is None or value.tzinfo:
        return value
    return value.replace(tzinfo=timezone.utc)


def to_utc(value: datetime) -> datetime:
    """An aware time in UTC, to store or compare (SQLite keeps no zone: all stored times are UTC)."""
    if value.tzinfo is None:
        raise ValueError("a time without a zone cannot be stored")
    return value.astimezone(timezone.utc)
