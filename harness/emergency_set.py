"""The emergency evaluation set (tests/safety/open.yml and sealed.yml), as the report, the tests and
the benchmarks read it. Nothing trains on it."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from harness.servers import PROJECT_ROOT

# The set the issue asks for: an open part used while tuning, a sealed third nobody reads.
PARTS = {part: PROJECT_ROOT / "tests" / "safety" / f"{part}.yml" for part in ("open", "sealed")}
# Written later by another writer, after tuning stopped: how the assistant does on new phrasing.
FRESH = {"fresh": PROJECT_ROOT / "tests" / "safety" / "fresh.yml"}


@dataclass(frozen=True)
class Message:
    text: str
    escalate: bool
    category: str
    lang: str
    style: str
    line: str | None


def load(part: str) -> list[Message]:
    rows = yaml.safe_load({**PARTS, **FRESH}[part].read_text(encoding="utf-8"))["messages"]
    return [
        Message(r["text"], r["expect"] == "escalate", r["category"], r["lang"], r["style"], r.get("line")) for r in rows
    ]
