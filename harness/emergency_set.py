"""The emergency evaluation set (tests/safety/open.yml and sealed.yml), as the report, the tests and
the benchmarks read it. Nothing trains on it."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from harness.servers import PROJECT_ROOT

PARTS = {part: PROJECT_ROOT / "tests" / "safety" / f"{part}.yml" for part in ("open", "sealed")}


@dataclass(frozen=True)
class Message:
    text: str
    escalate: bool
    category: str
    lang: str
    style: str
    line: str | None


def load(part: str) -> list[Message]:
    rows = yaml.safe_load(PARTS[part].read_text(encoding="utf-8"))["messages"]
    return [
        Message(r["text"], r["expect"] == "escalate", r["category"], r["lang"], r["style"], r.get("line")) for r in rows
    ]
