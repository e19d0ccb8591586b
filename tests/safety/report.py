"""The emergency evaluation report: recall per category and per language, false alarms on hard
negatives and on ordinary messages, with 95% Wilson intervals; how often the danger question is
asked; each layer measured on its own; for the open part, the sealed part and the fresh part apart.

Run: .venv/bin/python -m tests.safety.report      (prints it; the suite writes it to var/reports/)

The danger question counts as a miss on a must-escalate message and as an alarm on a must-not one.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable

from harness.emergency_set import FRESH, PARTS, Message, load
from safety import EMERGENCY, NONE, Assessment
from safety.assessment import ALL, ASK, Assessor, Layers
from safety.backstop import shared as backstop
from safety.context import shared as context
from safety.lexicon import Lexicon

# Each layer on its own, then added one by one (the last row is the assistant as it runs).
LAYERS = (
    ("lexicon, exact words only", Layers(normalize=False, fuzzy=False, context=False, backstop=False, ask=False)),
    ("+ normalization", Layers(fuzzy=False, context=False, backstop=False, ask=False)),
    ("+ misspellings (rapidfuzz)", Layers(context=False, backstop=False, ask=False)),
    ("+ context", Layers(backstop=False, ask=False)),
    ("+ statistical backstop", Layers(ask=False)),
    ("+ danger question (all layers)", Layers()),
)


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion."""
    if total == 0:
        return 0.0, 1.0
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Rate:
    hits: int
    total: int

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 0.0

    def __str__(self) -> str:
        low, high = wilson(self.hits, self.total)
        return f"{100 * self.value:5.1f}%  ({self.hits}/{self.total}, 95% CI {100 * low:.1f}-{100 * high:.1f})"


@dataclass(frozen=True)
class Figures:
    """The figures of one evaluation run."""

    recall: Rate
    recall_by_category: dict[str, Rate]
    recall_by_language: dict[str, Rate]
    hard_negative_alarms: Rate
    ordinary_alarms: Rate
    asked_on_emergencies: Rate
    asked_on_others: Rate
    right_line: Rate
    language_detected: Rate


def _rate(items: Iterable[bool]) -> Rate:
    items = list(items)
    return Rate(sum(items), len(items))


def evaluate(messages: list[Message], assess: Callable[[str], Assessment]) -> Figures:
    results = [(m, assess(m.text)) for m in messages]
    escalate = [(m, a) for m, a in results if m.escalate]
    others = [(m, a) for m, a in results if not m.escalate]
    by = defaultdict(list)
    for m, a in escalate:
        by[("category", m.category)].append(a.level == EMERGENCY)
        by[("language", m.lang)].append(a.level == EMERGENCY)
    return Figures(
        recall=_rate(a.level == EMERGENCY for _, a in escalate),
        recall_by_category={k: _rate(v) for (kind, k), v in sorted(by.items()) if kind == "category"},
        recall_by_language={k: _rate(v) for (kind, k), v in sorted(by.items()) if kind == "language"},
        hard_negative_alarms=_rate(a.level != NONE for m, a in others if m.style == "hard_negative"),
        ordinary_alarms=_rate(a.level != NONE for m, a in others if m.style != "hard_negative"),
        asked_on_emergencies=_rate(a.level == ASK for _, a in escalate),
        asked_on_others=_rate(a.level == ASK for _, a in others),
        right_line=_rate(a.line == m.line or a.line == "call_911" for m, a in escalate if a.level == EMERGENCY),
        language_detected=_rate(a.language == m.lang for m, a in results),
    )


def assessor(layers: Layers = ALL) -> Assessor:
    return Assessor(Lexicon.load(), context(), backstop(), layers)


def render(part: str, figures: Figures, layers: list[tuple[str, Figures]]) -> str:
    lines = [f"== {part} part ==", f"recall (emergency answer on must-escalate)   {figures.recall}"]
    lines += [f"  {'language ' + k:<42} {v}" for k, v in figures.recall_by_language.items()]
    lines += [f"  {'category ' + k:<42} {v}" for k, v in figures.recall_by_category.items()]
    lines += [
        f"false alarms on hard negatives               {figures.hard_negative_alarms}",
        f"false alarms on ordinary messages            {figures.ordinary_alarms}",
        f"danger question asked, must-escalate          {figures.asked_on_emergencies}",
        f"danger question asked, must-not               {figures.asked_on_others}",
        f"guidance line right (or 911, which names all) {figures.right_line}",
        f"language detected (lingua)                    {figures.language_detected}",
        "layers (recall | hard-negative alarms | ordinary alarms):",
    ]
    lines += [
        f"  {name:<32} {100 * f.recall.value:5.1f}% | {100 * f.hard_negative_alarms.value:5.1f}% | "
        f"{100 * f.ordinary_alarms.value:5.1f}%"
        for name, f in layers
    ]
    return "\n".join(lines)


def report(parts: Iterable[str] = (*PARTS, *FRESH)) -> str:
    """The report of each part (open, sealed, then fresh)."""
    sections = []
    for part in parts:
        messages = load(part)
        full = evaluate(messages, assessor().assess)
        layers = [(name, evaluate(messages, assessor(layer).assess)) for name, layer in LAYERS]
        sections.append(render(part, full, layers))
    return "\n\n".join(sections)


if __name__ == "__main__":
    print(report())
