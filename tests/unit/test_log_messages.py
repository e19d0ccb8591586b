"""The library messages rewritten without conversation data (bot/plugins/log_messages.py) are still
the libraries' messages, and no slot's value is shown for its name (privacy/logs/payloads.py)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import yaml

from bot.plugins.log_messages import TEMPLATES
from privacy.logs.exceptions import TRACEBACK_START
from privacy.logs.messages import Template
from privacy.logs.payloads import NAMES, WITHHELD

ROOT = Path(__file__).resolve().parents[2]


# Loggers whose messages other packages write too: Sanic-CORS logs through Sanic's logger.
WRITERS = {"sanic.root": ("sanic", "sanic_cors")}
# Adjacent string literals over two lines: one piece of text once joined.
CONCATENATION = re.compile(r"""["']\s*\n\s*f?["']""")


def source(logger: str) -> str:
    """The source of the logger's module, or of the packages that write to it (sanic.root, asyncio)."""
    spec = importlib.util.find_spec(logger)
    if spec and spec.origin and not spec.submodule_search_locations:
        return Path(spec.origin).read_text()
    names = WRITERS.get(logger, (logger.split(".")[0],))
    folders = [Path(importlib.util.find_spec(name).origin).parent for name in names]
    return "".join(path.read_text() for folder in folders for path in folder.rglob("*.py"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda template: template.text[:50])
def test_each_message_is_still_in_its_librarys_source(template: Template):
    text = CONCATENATION.sub("", source(template.logger))
    if template.text.startswith(TRACEBACK_START):  # formatted by the library: the call that logs it
        assert "logger.debug(traceback.format_exc())" in text
        return
    pieces = [piece for piece in (literal.strip(" '\n") for literal in template.literals) if len(piece) >= 12]
    assert any(piece in text for piece in pieces), f"{template.logger} no longer logs {template.text!r}"


def test_a_message_shows_its_names_and_counts_and_withholds_the_rest():
    template = Template("x", "Waited {count} s for '{name}' on '{conversation}': {error}")
    rewritten = template.rewrite("Waited 3 s for 'action_listen' on 'ada@example.org': I'm worried: it's bad")
    assert rewritten.startswith("Waited 3 s for 'action_listen' on 'conversation-") and rewritten.endswith(WITHHELD)
    assert "ada" not in rewritten and template.rewrite("another message") is None


def test_no_slot_is_named_like_a_key_whose_values_are_shown():
    slots = set()
    for path in (ROOT / "bot" / "domain").glob("*.yml"):
        slots |= set((yaml.safe_load(path.read_text()) or {}).get("slots", {}))
    assert slots and not slots & NAMES
