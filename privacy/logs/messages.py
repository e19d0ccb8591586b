"""Library log messages that carry conversation data in their text, rewritten without it.

A library that formats a message before logging it (an f-string) leaves no structure to
redact. Each such message is written down as a `Template`: the library's text, with each value
it puts in named for what it is. A message that matches is rewritten: a {conversation} id shows
as a pseudonym, the same throughout the process's log; a {name} (of an action, a slot, a form)
and a {count} as they are; a {request} ("METHOD URL") and a {url} as their path (urls.py); a
{traceback} the library formatted (after "Traceback (most recent call last):") as one without
messages; any other field (what was said, events, slot values, error messages) is withheld.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sys
from collections import defaultdict
from string import Formatter
from typing import Callable, Iterable

from privacy.logs.exceptions import TRACEBACK_START, traceback_text
from privacy.logs.payloads import WITHHELD
from privacy.logs.urls import logged_path, request_line

_PSEUDONYM_KEY = secrets.token_bytes(32)


def pseudonym(conversation_id: str) -> str:
    """The conversation's name in this process's log: a keyed hash, not the id."""
    digest = hmac.new(_PSEUDONYM_KEY, conversation_id.encode(), hashlib.sha256).hexdigest()
    return f"conversation-{digest[:12]}"


def _traceback(_: str) -> str:
    """The traceback of the exception being handled (the one the library formatted), after its first line."""
    error = sys.exc_info()[1]
    return traceback_text(error).removeprefix(TRACEBACK_START) if error else WITHHELD


SHOWN: dict[str, Callable[[str], str]] = {
    "conversation": pseudonym,
    "name": str,
    "count": str,
    "request": request_line,
    "url": logged_path,
    "traceback": _traceback,
}


class Template:
    """One logger's message: Template("rasa.core.lock_store", "Deleted lock for conversation '{conversation}'.")."""

    def __init__(self, logger: str, text: str):
        self.logger, self.text = logger, text
        parsed = list(Formatter().parse(text))
        self.literals = [literal for literal, _, _, _ in parsed]
        self.fields = [field for _, field, _, _ in parsed if field is not None]
        self.pattern = re.compile(
            "".join(re.escape(literal) + ("(.*?)" if field is not None else "") for literal, field, _, _ in parsed),
            re.S,
        )

    def rewrite(self, message: str) -> str | None:
        """`message` without its data, or None when it is not this template's message."""
        match = self.pattern.fullmatch(message)
        if match is None:
            return None
        values = [SHOWN.get(field, lambda _: WITHHELD)(value) for field, value in zip(self.fields, match.groups())]
        return "".join(literal + (values[i] if i < len(values) else "") for i, literal in enumerate(self.literals))


class Templates:
    """The templates of every logger, looked up by the logger's name."""

    def __init__(self, templates: Iterable[Template]):
        self.by_logger: dict[str, list[Template]] = defaultdict(list)
        for template in templates:
            self.by_logger[template.logger].append(template)

    def rewrite(self, logger: str, message: str) -> str | None:
        for template in self.by_logger.get(logger, ()):
            rewritten = template.rewrite(message)
            if rewritten is not None:
                return rewritten
        return None
