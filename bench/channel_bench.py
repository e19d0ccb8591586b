"""The patient channels side by side, in one run against the real servers: SMS webhook
throughput with signature validation, and the round trip of one message over the SMS
channel, the widget's Socket.IO and the REST channel.

Starts the rasa server and the action server (the trained model must exist: `make train`)
with a local stand-in for Twilio's REST API, then prints:
- signed SMS webhook requests accepted per second (signature checked, MessageSid
  recorded, handling queued) at concurrency 1 and 8, and forged ones refused per second;
- p50/p95 round trip of "hello" and of a question answered by a custom action: SMS (signed
  webhook -> the reply at the Twilio stand-in), widget (user_uttered -> the turn's last
  bot_uttered, long-polling as the test client) and REST (request -> response).
Run: .venv/bin/python bench/channel_bench.py [--messages N]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import socketio
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness.servers import Stack, server_environment  # noqa: E402
from harness.twilio_standin import TwilioStandIn, inbound  # noqa: E402
from runtime.train import model_path  # noqa: E402

PUBLIC_URL = "https://sms.healthtigo.test/webhooks/sms/webhook"
MESSAGES = {"no action": "hello", "action": "do you share my data with anyone?"}
PER_SENDER = 5  # messages per phone or tab, below the rate limit's burst


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


class Sms:
    """Signed webhook requests as Twilio sends them."""

    def __init__(self, stack: Stack, twilio: TwilioStandIn):
        self.url, self.twilio = f"{stack.base_url}/webhooks/sms/webhook", twilio
        self.validator = RequestValidator(twilio.auth_token)
        self.forger = RequestValidator(secrets.token_hex(16))  # someone without our token

    async def post(self, session: aiohttp.ClientSession, phone: str, body: str, forged: bool = False) -> int:
        fields = inbound(phone, body)
        validator = self.forger if forged else self.validator
        headers = {
            "X-Twilio-Signature": validator.compute_signature(PUBLIC_URL, dict(fields)),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        async with session.post(self.url, data=urlencode(fields), headers=headers) as reply:
            await reply.read()
            return reply.status


async def webhook_rate(sms: Sms, concurrency: int, requests: int, forged: bool) -> float:
    phones = [f"+1214555{n:04d}" for n in range(concurrency)]
    remaining = list(range(requests))
    async with aiohttp.ClientSession() as session:

        async def client(phone: str) -> None:
            while remaining:
                remaining.pop()
                status = await sms.post(session, phone, "hi", forged)
                assert status == (403 if forged else 200), status

        start = time.perf_counter()
        await asyncio.gather(*(client(p) for p in phones))
        return requests / (time.perf_counter() - start)


async def widget_round_trips(stack: Stack, message: str, count: int) -> list[float]:
    times: list[float] = []
    while len(times) < count:  # a new tab every PER_SENDER messages, below the rate limit
        client, done, confirmed = socketio.AsyncClient(), asyncio.Event(), asyncio.Event()
        client.on("turn_done", lambda data=None, done=done: done.set())
        client.on("session_confirm", lambda data=None, confirmed=confirmed: confirmed.set())
        await client.connect(stack.base_url, headers={"Origin": stack.base_url}, transports=["polling"])
        await client.emit("session_request", {})
        await confirmed.wait()
        for _ in range(min(PER_SENDER, count - len(times))):
            done.clear()
            start = time.perf_counter()
            await client.emit("user_uttered", {"message": message})
            await done.wait()
            times.append(time.perf_counter() - start)
        await client.eio.disconnect(abort=True)  # close the tab without waiting for the long poll in flight
    return times


async def rest_round_trips(stack: Stack, message: str, count: int) -> list[float]:
    times = []
    async with aiohttp.ClientSession() as session:
        for index in range(count):
            if index % PER_SENDER == 0:  # conversations as long as the other channels'
                sender = f"bench-{secrets.token_hex(8)}"
            start = time.perf_counter()
            async with session.post(
                stack.rest_url, json={"sender": sender, "message": message}, headers=stack.rest_headers
            ) as reply:
                await reply.json()
            times.append(time.perf_counter() - start)
    return times


async def sms_round_trips(sms: Sms, message: str, count: int) -> list[float]:
    phones = [f"+1469555{secrets.randbelow(10000):04d}" for _ in range(0, count, PER_SENDER)]
    times = []
    async with aiohttp.ClientSession() as session:
        for index in range(count):
            phone = phones[index // PER_SENDER]
            before, start = len(sms.twilio.to(phone)), time.time()
            assert await sms.post(session, phone, message) == 200
            sms.twilio.quiet(phone, 0.3)  # the turn's last reply, as the patient's phone sees it
            assert len(sms.twilio.to(phone)) > before
            times.append([m["at"] for m in sms.twilio.messages if m["to"] == phone][-1] - start)
    return times


def row(label: str, times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return f"{label:>28} {len(ms):>6} {percentile(ms, 50):>8.1f} {percentile(ms, 95):>8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=40, help="round trips per channel and message")
    parser.add_argument("--requests", type=int, default=400, help="webhook requests per rate measurement")
    args = parser.parse_args()
    if not model_path().exists():
        sys.exit("No model for the current data: run `make train` first.")
    twilio = TwilioStandIn(auth_token=secrets.token_hex(16)).start()
    with tempfile.TemporaryDirectory() as tmp:
        env = server_environment(
            Path(tmp) / "bench.env",
            LOG_LEVEL="WARNING",
            TWILIO_AUTH_TOKEN=twilio.auth_token,
            TWILIO_ACCOUNT_SID=twilio.account_sid,
            TWILIO_FROM_NUMBER=twilio.from_number,
            TWILIO_API_URL=twilio.url,
            SMS_WEBHOOK_URL=PUBLIC_URL,
        )
        stack = Stack.create(env, Path(tmp)).start()
        sms = Sms(stack, twilio)
        try:
            asyncio.run(rest_round_trips(stack, "hello", 5))  # warm-up
            print(f"{'SMS webhook':>28} {'clients':>7} {'requests/s':>11}")
            for concurrency in (1, 8):
                rate = asyncio.run(webhook_rate(sms, concurrency, args.requests, forged=False))
                print(f"{'signed, accepted':>28} {concurrency:>7} {rate:>11.0f}")
                twilio.quiet("+12145550000", 2)  # let the queued turns finish before the next figure
                rate = asyncio.run(webhook_rate(sms, concurrency, args.requests, forged=True))
                print(f"{'forged, refused':>28} {concurrency:>7} {rate:>11.0f}")
            twilio.quiet("+12145550000", 2)
            print(f"\n{'round trip':>28} {'n':>6} {'p50 ms':>8} {'p95 ms':>8}")
            for kind, message in MESSAGES.items():
                print(row(f"REST, {kind}", asyncio.run(rest_round_trips(stack, message, args.messages))))
                print(row(f"widget, {kind}", asyncio.run(widget_round_trips(stack, message, args.messages))))
                print(row(f"SMS, {kind}", asyncio.run(sms_round_trips(sms, message, args.messages))))
        finally:
            stack.stop()
            twilio.stop()


if __name__ == "__main__":
    main()
