"""Exceptions as a log may show them: their type and where they were raised, never their message
(an exception's message may quote what a patient said)."""

from __future__ import annotations

import sys
import traceback
from typing import Any

WITHHELD_MESSAGE = "[message withheld]"
TRACEBACK_START = "Traceback (most recent call last):"


def kind(error: BaseException) -> str:
    """The exception's type, with its module unless it is a built-in."""
    cls = type(error)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def raised(exc_info: Any) -> BaseException | None:
    """The exception an `exc_info` names: True (the one being handled), an exception or a (type, value, tb) tuple."""
    if exc_info is True:
        return sys.exc_info()[1]
    if isinstance(exc_info, BaseException):
        return exc_info
    if isinstance(exc_info, tuple) and len(exc_info) == 3:
        return exc_info[1]
    return None


def traceback_text(error: BaseException) -> str:
    """The traceback of `error` and of the exceptions it was raised from or while handling:
    the frames (file, line, function, source line) and each exception's type."""
    chain, seen = [], set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        chain.append(error)
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    parts = []
    for later, earlier in zip(chain, chain[1:]):
        link = "was the direct cause of" if later.__cause__ is earlier else "was raised while handling"
        parts.append(f"{_one(earlier)}\n\nThe above exception {link} the following exception:\n\n")
    return "".join(reversed(parts)) + _one(chain[0])


def _one(error: BaseException) -> str:
    frames = "".join(traceback.format_tb(error.__traceback__))
    return f"{TRACEBACK_START}\n{frames}{kind(error)}: {WITHHELD_MESSAGE}"
