"""Turn latency over the REST channel: simple turns, bookings and a health intake.

Starts the real rasa server and action server (the trained model for the current data
must exist: `make train`), with a small timing proxy in front of the action server, and
sends scripted conversations at concurrency 1, 8 and 32. Prints, per conversation kind:
p50/p95 turn latency, turns per second, errors, the share of the time spent in the
action server, and for bookings the turns each one took.

A booking patient answers the questions the assistant asks, from a fixed set of answers
("video", "anyone", the day and time, "yes", "not now"), and says nothing it is not asked
for: the fewer questions, the fewer turns. "booking" starts with "I'd like to book an
appointment"; "all-in-one" with a message that names the visit type, clinician, day and time.
Run: .venv/bin/python bench/turn_latency.py [--conversations N]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bot.scheduling.when import CLINIC_TZ  # noqa: E402
from harness.servers import Stack, free_port, server_environment  # noqa: E402
from runtime.train import model_path  # noqa: E402

SIMPLE = [
    ("hello", "no action"),
    ("what's your phone number?", "no action"),
    ("do you share my data with anyone?", "action"),
    ("am I talking to a robot?", "no action"),
    ("how long do you keep my information?", "action"),
    ("bye for now", "no action"),
]
INTAKE = ["I have a cough and a sore throat", "a cough", "3 days", "3", "none", "none", "none", "yes"]
LEVELS = (1, 8, 32)
BOOKINGS: list[tuple[str, int, bool]] = []  # (kind, turns, booked) of each booking conversation


class ActionTimer:
    """A pass-through proxy before the action server that adds up the time spent there."""

    def __init__(self, target: str):
        self.target, self.port, self.seconds = target, free_port(), 0.0

    def start(self) -> None:
        async def forward(request: web.Request) -> web.Response:
            body, start = await request.read(), time.perf_counter()
            async with self.session.post(
                self.target + request.path_qs,
                data=body,
                headers={k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")},
            ) as reply:
                content = await reply.read()
                self.seconds += time.perf_counter() - start
                return web.Response(body=content, status=reply.status, content_type=reply.content_type)

        async def serve() -> None:
            self.session = aiohttp.ClientSession()
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", forward)
            runner = web.AppRunner(app)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", self.port).start()
            await asyncio.Event().wait()

        threading.Thread(target=lambda: asyncio.run(serve()), daemon=True).start()


async def say(session, url, sender, message, samples, kind) -> list[dict]:
    start = time.perf_counter()
    async with session.post(url, json={"sender": sender, "message": message}) as reply:
        body = await reply.json()
    samples.append((kind, time.perf_counter() - start, reply.status == 200 and bool(body)))
    return body


async def simple(session, url, stack, samples, _):
    sender = f"bench-{uuid.uuid4().hex}"
    for message, kind in SIMPLE:
        await say(session, url, sender, message, samples, kind)


async def intake(session, url, stack, samples, _):
    sender = f"bench-{uuid.uuid4().hex}"
    for message in INTAKE:
        await say(session, url, sender, message, samples, "intake")


# The answer to each question a booking may ask, by words of the question.
ANSWERS = [
    ("full name", lambda p: p["name"]),
    ("date of birth", lambda p: "01/01/1970"),
    ("6-digit code", lambda p: p["code"]()),
    ("What kind of visit", lambda p: "video"),
    ("Who would you like to see", lambda p: "anyone"),
    ("When would you like to come", lambda p: p["when"]),
    ("Shall I book", lambda p: "yes"),
    ("health questions", lambda p: "not now"),
]


async def _book(session, url, stack, samples, kind, opening, slot_text) -> None:
    """One patient booking: the opening message, then an answer to each question asked."""
    vault, sender = stack.bench_vault, f"bench-{uuid.uuid4().hex}"
    name = "Bench " + "".join(chr(97 + int(c, 16) % 26) for c in uuid.uuid4().hex[:10]).capitalize()
    subject = (
        await asyncio.to_thread(
            vault.patients.register,
            name,
            date(1970, 1, 1),
            phone=f"+1469555{uuid.uuid4().int % 10000:04d}",
            actor="bench",
            reason="bench",
        )
    ).subject_id

    def code() -> str:
        return re.search(r"\d{6}", vault.outbox.messages(subject)[0].body).group(0)

    patient, turns, booked = {"name": name, "code": code, "when": slot_text}, 1, False
    replies = await say(session, url, sender, opening, samples, kind)
    while turns < 12:
        text = " ".join(r.get("text", "") for r in replies)
        booked = booked or "You're booked" in text
        answer = next((reply for words, reply in ANSWERS if words in text), None)
        if answer is None:
            break
        replies = await say(session, url, sender, await asyncio.to_thread(answer, patient), samples, kind)
        turns += 1
    BOOKINGS.append((kind, turns, booked))


async def booking(session, url, stack, samples, slot_text):
    await _book(session, url, stack, samples, "booking", "I'd like to book an appointment", slot_text)


async def all_in_one(session, url, stack, samples, slot_text):
    await _book(
        session, url, stack, samples, "all-in-one", f"I'd like a video visit with Dr. Patel on {slot_text}", slot_text
    )


def slot_texts(vault, count: int) -> list[str]:
    """Distinct weekday times, from 10 days ahead, on days the clinic is open."""
    texts, day = [], datetime.now(CLINIC_TZ).date() + timedelta(days=10)
    while len(texts) < count:
        if day.weekday() < 5 and day not in vault.clinic.closures:
            texts += [
                f"{day:%B} {day.day} at {hour if hour <= 12 else hour - 12}{'pm' if hour >= 12 else 'am'}"
                for hour in (10, 11, 14, 15, 16)
            ]
        day += timedelta(days=1)
    return texts


async def level(stack, timer, scenario, concurrency, conversations, slots) -> tuple[list, float, float]:
    samples: list = []
    queue = list(range(conversations))
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300), headers=stack.rest_headers) as session:

        async def client():
            while queue:
                index = queue.pop()
                await scenario(session, stack.rest_url, stack, samples, slots[index % len(slots)] if slots else None)

        action_before, start = timer.seconds, time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        return samples, time.perf_counter() - start, timer.seconds - action_before


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=32, help="per kind and concurrency level")
    args = parser.parse_args()
    if not model_path().exists():
        sys.exit("No model for the current data: run `make train` first.")
    with tempfile.TemporaryDirectory() as tmp:
        env = server_environment(Path(tmp) / "bench.env", LOG_LEVEL="WARNING")
        timer = ActionTimer(f"http://127.0.0.1:{env['ACTION_SERVER_PORT']}")
        timer.start()
        env["ACTION_SERVER_URL"] = f"http://127.0.0.1:{timer.port}/webhook"
        stack = Stack.create(env, Path(tmp)).start()
        stack.bench_vault = stack.vault()
        try:
            slots = slot_texts(stack.bench_vault, args.conversations * len(LEVELS) + 8)
            asyncio.run(level(stack, timer, simple, 4, 4, None))  # warm-up
            print(
                f"{'kind':>9} {'clients':>7} {'turns':>6} {'p50 ms':>8} {'p95 ms':>8} {'turns/s':>8} "
                f"{'errors':>6} {'in actions':>10}"
            )
            for name, scenario in (
                ("simple", simple),
                ("booking", booking),
                ("all-in-one", all_in_one),
                ("intake", intake),
            ):
                for concurrency in LEVELS:
                    taken = slots[: args.conversations] if name in ("booking", "all-in-one") else None
                    if taken:
                        del slots[: args.conversations]
                    samples, elapsed, in_actions = asyncio.run(
                        level(stack, timer, scenario, concurrency, args.conversations, taken)
                    )
                    times = [s[1] * 1000 for s in samples]
                    share = in_actions / sum(s[1] for s in samples) * 100
                    print(
                        f"{name:>9} {concurrency:>7} {len(samples):>6} {percentile(times, 50):>8.1f} "
                        f"{percentile(times, 95):>8.1f} {len(samples) / elapsed:>8.1f} "
                        f"{sum(1 for s in samples if not s[2]):>6} {share:>9.0f}%"
                    )
                    if name == "simple":
                        for kind in ("no action", "action"):
                            chosen = [s[1] * 1000 for s in samples if s[0] == kind]
                            print(
                                f"{'  ' + kind:>9} {concurrency:>7} {len(chosen):>6} {percentile(chosen, 50):>8.1f} "
                                f"{percentile(chosen, 95):>8.1f}"
                            )
            for kind in ("booking", "all-in-one"):
                done = [(turns, booked) for k, turns, booked in BOOKINGS if k == kind]
                print(
                    f"{kind}: {statistics.mean(t for t, _ in done):.1f} turns per booking "
                    f"(min {min(t for t, _ in done)}, max {max(t for t, _ in done)}), "
                    f"{sum(b for _, b in done)}/{len(done)} booked"
                )
        finally:
            stack.bench_vault.close()
            stack.stop()


if __name__ == "__main__":
    main()
