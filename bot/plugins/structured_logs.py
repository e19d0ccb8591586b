"""Rasa's structured log lines show names and shapes, never what a patient wrote.

Rasa 3.6 logs parse data, slot values, events and tracker states through structlog, as values
of a log line's keys, and renders an exception logged that way with every frame's local
variables. This start-up patch adds a processor to the structlog configuration Rasa makes,
right after the exception is attached: each value is replaced by its summary
(privacy/logs/payloads.py), and the exception by its traceback without messages or locals.
"""

from __future__ import annotations

from typing import Any

import rasa.utils.log_utils as log_utils
import structlog

from privacy.logs.exceptions import raised, traceback_text
from privacy.logs.payloads import summary


def withhold_payloads(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """The structlog processor: `event_dict` with every value summarized."""
    error = raised(event_dict.pop("exc_info", None))
    shown = {key: summary(value, key) for key, value in event_dict.items()}
    if error is not None:
        shown["exception"] = traceback_text(error)
    return shown


def install() -> None:
    """Wrap Rasa's structlog configuration once (before rasa.__main__ imports it)."""
    if getattr(log_utils.configure_structlog, "withholds_payloads", False):
        return
    original = log_utils.configure_structlog

    def configure_structlog(log_level: int | None = None) -> None:
        original(log_level)
        processors = structlog.get_config()["processors"]
        after = processors.index(structlog.dev.set_exc_info) + 1
        structlog.configure(processors=[*processors[:after], withhold_payloads, *processors[after:]])

    configure_structlog.withholds_payloads = True
    log_utils.configure_structlog = configure_structlog
