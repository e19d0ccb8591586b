"""Logs without what patients said or who they are.

`install(templates)` replaces the logging record factory, so that every record of every logger is
made safe when it is made, whatever handler later writes it (records.py): structured payloads
(events, slot values, parse data) show their names and shape only (payloads.py), exceptions their
type and frames without their message (exceptions.py), URLs their path without the query string
(urls.py; Sanic's access log too), and the messages a library formatted with conversation data in them are rewritten
without it (messages.py; Rasa's are listed in bot/plugins/log_messages.py).
"""

from __future__ import annotations

import logging
from typing import Iterable

from privacy.logs.messages import Template, Templates
from privacy.logs.records import AccessLogRequests, redact

__all__ = ["Template", "install"]


def install(templates: Iterable[Template]) -> None:
    """Make every log record safe from now on (once per process)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "redacts", False):
        return
    known = Templates(templates)

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = current(*args, **kwargs)
        redact(record, known)
        return record

    factory.redacts = True
    logging.setLogRecordFactory(factory)
    logging.getLogger("sanic.access").addFilter(AccessLogRequests())
