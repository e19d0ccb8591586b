"""A log record made safe to write, whatever logged it.

- A message a library formatted with conversation data in it (messages.py) is rewritten.
- The arguments of a %-style message: numbers as they are, structured values as their summary
  (payloads.py), exceptions as their type. A string argument is shown when this project logged
  it (its calls pass ids, counts and type names); a library's only as a URL's path, if it is one.
- A message that is not a string (`logger.error(error)`) shows as the summary of it.
- An exception's traceback keeps its frames and types, never its message (exceptions.py).
- Sanic's access log shows a request's method and path, no query string (urls.py).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from privacy.logs.exceptions import raised, traceback_text
from privacy.logs.messages import Templates
from privacy.logs.payloads import WITHHELD, summary
from privacy.logs.urls import is_url, logged_path, request_line

PROJECT = ("bot.", "channels.", "privacy.", "runtime.", "safety.")


def redact(record: logging.LogRecord, templates: Templates) -> None:
    """Make `record` safe to write, in place."""
    record.msg, record.args = _message(record, templates), None
    if record.exc_info:
        error = raised(record.exc_info)
        record.exc_text = traceback_text(error) if error else None
        record.exc_info = None


class AccessLogRequests(logging.Filter):
    """Sanic's access log (logger "sanic.access"): the `request` it passes as an extra field
    ("METHOD URL") shows as the method and path (extra fields are set after the record factory ran)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(getattr(record, "request", None), str):
            record.request = request_line(record.request)
        return True


def _message(record: logging.LogRecord, templates: Templates) -> str:
    if not isinstance(record.msg, str):
        return str(summary(record.msg))
    try:
        text = record.getMessage()
    except Exception:  # a malformed log call: its format string only
        return record.msg
    rewritten = templates.rewrite(record.name, text)
    if rewritten is not None:
        return rewritten
    if not record.args:
        return text
    if isinstance(record.args, Mapping):  # one dictionary argument, or the values of %(name)s fields
        shown = summary(record.args)
    else:
        own = record.name.startswith(PROJECT)
        shown = tuple(_arg(arg, own) for arg in record.args)
    try:
        return record.msg % shown
    except (TypeError, ValueError, KeyError):  # a %d given a withheld value
        return record.msg


def _arg(value: Any, own: bool) -> Any:
    if isinstance(value, str):
        return value if own else logged_path(value) if is_url(value) else WITHHELD
    return summary(value)
