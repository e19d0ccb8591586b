"""Keeps personal and health data out of log lines and exception messages.

`install()` replaces the logging record factory, so every record of every logger
(Rasa's debug lines that quote what a patient typed included) is redacted once,
when it is made, whatever handler later prints it:

- text in quotes, except identifiers such as 'utter_greet', "parse_data_text" or 'DIETClassifier',
- e-mail addresses, and runs of 7 or more digits (phone, card, record numbers),
- the values after "slot values" in Rasa's slot dumps,
- the same in the text of an exception's traceback.
"""

from __future__ import annotations

import logging
import re

_IDENTIFIER = re.compile(
    r"^(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+"  # snake_case names: utter_greet, parse_data_text
    r"|[A-Z]\w*(?:Classifier|Featurizer|Tokenizer|Policy|Extractor|Mapper|Store|Channel|Error|Exception)"
    r"|/[\w./-]+\.py)$"  # source files in tracebacks
)
_QUOTED = re.compile(r"""(?P<q>['"])(?P<body>(?:\\.|(?!(?P=q)).){1,2000}?)(?P=q)""", re.S)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(r"(?<![\w.])\+?\d(?:[\s().-]*\d){6,}")
_SLOT_LINE = re.compile(r"(?m)^(\s*[\w-]+:\s).+$")

REDACTED = "[redacted]"


def redact(text: str) -> str:
    """`text` without quoted free text, e-mail addresses or long numbers."""

    def quoted(match: re.Match) -> str:
        body = match.group("body")
        return match.group(0) if _IDENTIFIER.match(body) else f"{match.group('q')}{REDACTED}{match.group('q')}"

    text = _QUOTED.sub(quoted, text)
    text = _EMAIL.sub(REDACTED, text)
    text = _DIGITS.sub(REDACTED, text)
    if "slot values" in text.lower():
        text = _SLOT_LINE.sub(lambda m: m.group(1) + REDACTED, text)
    return text


_formatter = logging.Formatter()


def install() -> None:
    """Redact every log record from now on (idempotent)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "redacts", False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = current(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call: keep only its format string
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info:
            record.exc_text = redact(_formatter.formatException(record.exc_info))
            record.exc_info = None
        return record

    factory.redacts = True
    logging.setLogRecordFactory(factory)
