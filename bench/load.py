"""Load: simulated patients against four set-ups in one run, and a replica killed under load.

Patients (harness/patients.py) hold realistic conversations: over REST a greeting
with support questions, a booking (identity check with a one-time code, then a slot), a
health intake and a rights request (access); over SMS, signed webhook requests with the
replies at a local Twilio stand-in. Levels of rising concurrency, each bounded by a
number of conversations and a time limit; loopback only. Set-ups, each started fresh:

  sqlite-stock   one rasa + one action server on SQLite, Rasa's own per-call validation
  sqlite         one rasa + one action server on SQLite (`make run`)
  pg-1           one replica of each behind nginx, on PostgreSQL and the profile's own Redis
  pg-2           two replicas of each behind nginx, on PostgreSQL and Redis (`make run-production`)

Prints turns/s, p50/p95/p99 latency (per message, retries included), failed turns,
retries and how many cores each part kept busy, per set-up and level; then the ratios
(pg-2 / pg-1, sqlite / sqlite-stock); then, on pg-2, a run during which one rasa replica
is killed: failed turns, retries, the stored conversations compared with what the
patients sent, the replica's return, and the audit chain's verification.
Needs the trained model (`make train`), PostgreSQL, redis-server and nginx.
Run: .venv/bin/python bench/load.py [--levels 4,16,32] [--conversations 48] [--seconds 60]
     [--failover-seconds 45] [--kill-after 10]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import secrets
import signal
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import load_report  # noqa: E402
from harness.databases import postgres_available, production_roles  # noqa: E402
from harness.patients import Clinic, new_patient, settled  # noqa: E402
from harness.servers import Stack, server_environment  # noqa: E402
from harness.twilio_standin import TwilioStandIn  # noqa: E402
from runtime.train import model_path  # noqa: E402

SMS_PUBLIC_URL = "https://sms.healthtigo.test/webhooks/sms/webhook"
# The mix of conversations, repeated: mostly REST, one in six by SMS.
MIX = [
    ("rest", "greeting"),
    ("rest", "booking"),
    ("rest", "intake"),
    ("rest", "rights"),
    ("rest", "greeting"),
    ("sms", "sms"),
]
SETUPS = ("sqlite-stock", "sqlite", "pg-1", "pg-2")


async def level(clinic: Clinic, concurrency: int, conversations: int, seconds: float) -> tuple[list, float]:
    """Run `conversations` conversations (or until `seconds` pass) `concurrency` at a time."""
    mix, done, started = itertools.cycle(MIX), [], time.perf_counter()
    remaining = iter(range(conversations))
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:

        async def patient_after_patient():
            for _ in remaining:
                if time.perf_counter() - started > seconds:
                    return
                done.append(await clinic.converse(session, new_patient(*next(mix))))

        await asyncio.gather(*(patient_after_patient() for _ in range(concurrency)))
    return done, time.perf_counter() - started


def cpu_seconds(stack: Stack) -> dict[str, dict[int, float]]:
    """CPU time used so far by each process of each part: the rasa and action servers, nginx,
    PostgreSQL and Redis (all of this machine's), and this process (the patients and the Twilio
    stand-in)."""
    tick = os.sysconf("SC_CLK_TCK")

    def used(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / tick

    def named(name: str) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
        return found

    def pids(part) -> list[int]:
        members = getattr(part, "members", [part])
        return [m.popen.pid for m in members if m.popen and m.popen.poll() is None]

    parts = {
        "rasa": pids(stack.rasa),
        "actions": pids(stack.actions),
        "nginx": named("nginx"),
        "postgres": named("postgres"),
        "redis": named("redis-server"),
        "patients": [os.getpid()],
    }
    return {part: {pid: used(pid) for pid in found} for part, found in parts.items()}


def start(setup: str, workdir: Path, twilio: TwilioStandIn, resources: ExitStack) -> Stack:
    env = server_environment(
        workdir / "bench.env",
        LOG_LEVEL="WARNING",
        TWILIO_AUTH_TOKEN=twilio.auth_token,
        TWILIO_ACCOUNT_SID=twilio.account_sid,
        TWILIO_FROM_NUMBER=twilio.from_number,
        TWILIO_API_URL=twilio.url,
        SMS_WEBHOOK_URL=SMS_PUBLIC_URL,
    )
    if setup.startswith("sqlite"):
        stack = Stack.create(env, workdir)
        if setup == "sqlite-stock":
            stack.rasa.argv = [sys.executable, __file__, "--serve-with-stock-validation"]
        return resources.enter_context(_running(stack.start()))
    env.update(resources.enter_context(production_roles()))
    return resources.enter_context(_running(Stack.replicated(env, workdir, replicas=int(setup[-1])).start()))


class _running:
    def __init__(self, stack: Stack):
        self.stack = stack

    def __enter__(self) -> Stack:
        return self.stack

    def __exit__(self, *_) -> None:
        self.stack.stop()


def measure(setup: str, levels: list[int], args, twilio: TwilioStandIn) -> dict:
    results = {}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as resources:
        stack = start(setup, Path(tmp), twilio, resources)
        vault = stack.vault()
        resources.callback(vault.close)
        clinic = Clinic(stack.base_url, stack.rest_headers, vault, twilio, SMS_PUBLIC_URL)
        asyncio.run(level(clinic, 2, 4, 60))  # warm-up
        for concurrency in levels:
            before = cpu_seconds(stack)
            patients, elapsed = asyncio.run(level(clinic, concurrency, args.conversations, args.seconds))
            after = cpu_seconds(stack)
            results[concurrency] = load_report.summary(patients, elapsed)
            load_report.level(setup, concurrency, results[concurrency], load_report.cores_busy(before, after, elapsed))
        if setup == "pg-2":
            failover(stack, clinic, vault, max(levels), args)
    return results


def failover(stack: Stack, clinic: Clinic, vault, concurrency: int, args) -> None:
    """One rasa replica killed under load: the stored conversations checked, then the replica's return."""
    victim = stack.rasa.members[0]

    async def run():
        talking = asyncio.create_task(level(clinic, concurrency, 10**6, args.failover_seconds))
        await asyncio.sleep(args.kill_after)
        os.kill(victim.popen.pid, signal.SIGKILL)
        return await talking

    killed_at = time.perf_counter()
    patients, elapsed = asyncio.run(run())
    victim.popen.wait()
    problems = settled(vault, patients)
    load_report.failover(patients, elapsed, problems, concurrency, args.failover_seconds, args.kill_after)
    restarted = time.perf_counter()
    victim.start()
    served_by_it, all_answered = next_ten_messages(stack, victim)
    ready = time.perf_counter()
    load_report.recovery(ready - restarted, ready - killed_at, served_by_it, all_answered, vault.audit.verify())


def next_ten_messages(stack: Stack, replica) -> tuple[int, bool]:
    """Ten new conversations' greetings: how many `replica` served (nginx's access log), and
    whether all were answered."""
    port = replica.ready_url.split(":")[2].split("/")[0]
    served = [stack.say(f"bench-{secrets.token_hex(8)}", "hello") for _ in range(10)]
    log = (stack.balancer.log_path.parent / "nginx" / "access.log").read_text().splitlines()[-10:]
    return sum(f"upstream=127.0.0.1:{port} " in line for line in log), all(reply.status_code == 200 for reply in served)


def serve_with_stock_validation() -> None:
    """The rasa server as `python -m runtime.serve` starts it, but without the validator cache."""
    from bot.plugins import action_validation
    from runtime import rasa_cli, serve

    action_validation.install = lambda: None
    serve.preflight()
    rasa_cli.main(serve.server_arguments())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="4,16,32", help="concurrent patients, comma-separated")
    parser.add_argument("--conversations", type=int, default=48, help="per level (at most)")
    parser.add_argument("--seconds", type=float, default=60, help="per level (at most)")
    parser.add_argument("--failover-seconds", type=float, default=45, help="length of the failover run")
    parser.add_argument("--kill-after", type=float, default=10, help="seconds into the failover run")
    parser.add_argument("--setups", default=",".join(SETUPS))
    parser.add_argument("--serve-with-stock-validation", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_with_stock_validation:
        return serve_with_stock_validation()
    missing = postgres_available()
    if missing or not model_path().exists():
        sys.exit(missing or "No model for the current data: run `make train` first.")
    levels = [int(n) for n in args.levels.split(",")]
    twilio = TwilioStandIn(auth_token=secrets.token_hex(16)).start()
    load_report.header()
    try:
        results = {setup: measure(setup, levels, args, twilio) for setup in args.setups.split(",")}
    finally:
        twilio.stop()
    if set(results) == set(SETUPS):
        load_report.ratios(results, levels)


if __name__ == "__main__":
    main()
