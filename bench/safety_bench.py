"""How long safety.assess takes per message: p50, p95 and p99 over the open evaluation messages
and the shipped training examples (1 to 60 words, English and Spanish), with each layer's share.
The target is a p95 of at most 10 ms on this machine.

Run: .venv/bin/python bench/safety_bench.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.emergency_set import load  # noqa: E402
from safety import language  # noqa: E402
from safety.assessment import shared  # noqa: E402
from safety.backstop import examples  # noqa: E402
from safety.normalize import normalize  # noqa: E402


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return f"p50 {pick(0.50):6.2f} ms   p95 {pick(0.95):6.2f} ms   p99 {pick(0.99):6.2f} ms"


def timed(function, texts: list[str]) -> list[float]:
    spent = []
    for text in texts:
        start = time.perf_counter()
        function(text)
        spent.append(time.perf_counter() - start)
    return spent


def main() -> None:
    started = time.perf_counter()
    assessor = shared()
    assessor.assess("warm up")
    print(f"loading the layers: {time.perf_counter() - started:.1f} s (once per process)")
    texts = [m.text for m in load("open")] + [row["text"] for row in examples()]
    print(f"{len(texts)} messages, {statistics.mean(len(t.split()) for t in texts):.0f} words on average")
    lexicon, backstop = assessor.lexicon, assessor.backstop
    normalized = [normalize(t) for t in texts]

    def lexicon_and_context(norm: str) -> None:
        matches, tokens = lexicon.find(norm.split())
        for match in matches:
            assessor._verdict(tokens, match)

    rows = [
        ("assess (all layers)", timed(assessor.assess, texts)),
        ("  normalization", timed(normalize, texts)),
        ("  language (lingua)", timed(language.confident_language, texts)),
        ("  lexicon + context", timed(lexicon_and_context, normalized)),
        ("  backstop", timed(lambda norm: backstop.probability([norm]), normalized)),
    ]
    for name, samples in rows:
        print(f"{name:<24} {percentiles(samples)}")


if __name__ == "__main__":
    main()
