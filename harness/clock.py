"""A clock the tests move, for the vault's time rules (retention, sessions, lock-outs)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


class Clock:
    def __init__(self):
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a Monday

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)
