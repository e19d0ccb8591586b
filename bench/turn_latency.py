"""Turn latency over the REST channel, with and without a custom action.

Starts the real rasa server and action server (the trained model for the
current data must exist: `make train`), sends a fixed script of conversations
at concurrency 1, 8 and 32, and prints p50/p95 turn latency and turns per
second for each kind of turn.
Run: .venv/bin/python bench/turn_latency.py [--conversations N]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bot.train import model_path  # noqa: E402
from tests.support.servers import Stack, server_environment  # noqa: E402

# (message, kind): "action" turns run a custom action on the action server.
SCRIPT = [
    ("hello", "no action"),
    ("what's your phone number?", "no action"),
    ("do you share my data with anyone?", "action"),
    ("am I talking to a robot?", "no action"),
    ("how long do you keep my information?", "action"),
    ("bye for now", "no action"),
]
LEVELS = (1, 8, 32)


async def client(session: aiohttp.ClientSession, url: str, conversations: int, samples: list) -> None:
    for _ in range(conversations):
        sender = f"bench-{uuid.uuid4().hex}"
        for message, kind in SCRIPT:
            start = time.perf_counter()
            async with session.post(url, json={"sender": sender, "message": message}) as reply:
                body = await reply.json()
            samples.append((kind, time.perf_counter() - start, reply.status == 200 and bool(body)))


async def level(url: str, concurrency: int, conversations: int) -> tuple[list, float]:
    """Run `conversations` scripted conversations split over `concurrency` clients."""
    samples: list = []
    shares = [conversations // concurrency + (i < conversations % concurrency) for i in range(concurrency)]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        start = time.perf_counter()
        await asyncio.gather(*(client(session, url, share, samples) for share in shares))
        return samples, time.perf_counter() - start


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=64, help="per concurrency level")
    args = parser.parse_args()
    if not model_path().exists():
        sys.exit("No model for the current data: run `make train` first.")
    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack.create(server_environment(Path(tmp) / "bench.env", LOG_LEVEL="WARNING"), Path(tmp)).start()
        try:
            asyncio.run(level(stack.rest_url, 4, 1))  # warm-up
            print(f"{'clients':>7} {'kind':>10} {'turns':>6} {'p50 ms':>8} {'p95 ms':>8} {'turns/s':>8} {'errors':>6}")
            for concurrency in LEVELS:
                samples, elapsed = asyncio.run(level(stack.rest_url, concurrency, args.conversations))
                for kind in ("no action", "action", "all"):
                    chosen = [s for s in samples if kind in ("all", s[0])]
                    times = [s[1] * 1000 for s in chosen]
                    errors = sum(1 for s in chosen if not s[2])
                    rate = f"{len(samples) / elapsed:.1f}" if kind == "all" else "-"
                    print(f"{concurrency:>7} {kind:>10} {len(chosen):>6} {percentile(times, 50):>8.1f} "
                          f"{percentile(times, 95):>8.1f} {rate:>8} {errors:>6}")
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
