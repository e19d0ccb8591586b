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
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
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


def percentile(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


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


def cores_busy(before: dict, after: dict, elapsed: float) -> str:
    """CPU seconds per second of each part, over the processes that lived through the interval."""

    def used(part: str) -> float:
        return sum(after[part][pid] - before[part][pid] for pid in after[part] if pid in before[part])

    return " ".join(f"{part} {used(part) / elapsed:.2f}" for part in after)


def summary(patients: list, elapsed: float) -> dict:
    turns = [turn for patient in patients for turn in patient.turns]
    ms = [turn.seconds * 1000 for turn in turns]
    return {
        "turns": len(turns),
        "turns/s": len(turns) / elapsed,
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "failed": sum(not turn.ok for turn in turns),
        "retries": sum(p.retries for p in patients),
    }


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
            busy = cores_busy(before, after, elapsed)
            results[concurrency] = summary(patients, elapsed)
            row = results[concurrency]
            print(
                f"{setup:>12} {concurrency:>7} {row['turns']:>6} {row['turns/s']:>8.1f} {row['p50']:>8.0f} "
                f"{row['p95']:>8.0f} {row['p99']:>8.0f} {row['failed']:>6} {row['retries']:>7}   {busy}",
                flush=True,
            )
        if setup == "pg-2":
            failover(stack, clinic, vault, max(levels), args)
    return results


def failover(stack: Stack, clinic: Clinic, vault, concurrency: int, args) -> None:
    victim = stack.rasa.members[0]

    async def run():
        talking = asyncio.create_task(level(clinic, concurrency, 10**6, args.failover_seconds))
        await asyncio.sleep(args.kill_after)
        os.kill(victim.popen.pid, signal.SIGKILL)
        return await talking

    killed_at = time.perf_counter()
    patients, elapsed = asyncio.run(run())
    victim.popen.wait()
    row = summary(patients, elapsed)
    problems = settled(vault, patients)
    sent = sum(len(patient.sent) for patient in patients)
    print(
        f"\nFailover (pg-2, {concurrency} at once for {args.failover_seconds:.0f} s, rasa-1 killed with SIGKILL "
        f"after {args.kill_after:.0f} s):"
    )
    longest = max(turn.seconds for patient in patients for turn in patient.turns)
    print(
        f"  {row['turns']} turns in {elapsed:.1f} s, {row['turns/s']:.1f} turns/s, p50 {row['p50']:.0f} ms, "
        f"p95 {row['p95']:.0f} ms, p99 {row['p99']:.0f} ms, max {longest:.1f} s"
    )
    print(f"  failed turns {row['failed']}, retries {row['retries']}")
    print(
        f"  stored conversations checked: {len(patients)} conversations, {sent} messages sent; "
        f"messages missing, repeated, out of order or unanswered: {len(problems)}"
    )
    for problem in problems[:5]:
        print(f"    {problem}")
    restarted = time.perf_counter()
    victim.start()
    port = victim.ready_url.split(":")[2].split("/")[0]
    served = [stack.say(f"bench-{secrets.token_hex(8)}", "hello") for _ in range(10)]
    log = (stack.balancer.log_path.parent / "nginx" / "access.log").read_text().splitlines()[-10:]
    print(
        f"  rasa-1 restarted and ready in {time.perf_counter() - restarted:.1f} s "
        f"({time.perf_counter() - killed_at:.0f} s after the kill); of the next 10 messages it served "
        f"{sum(f'upstream=127.0.0.1:{port} ' in line for line in log)}, all answered: "
        f"{all(reply.status_code == 200 for reply in served)}"
    )
    print(f"  audit chain after the runs: {vault.audit.verify()}")


def ratios(results: dict, levels: list[int]) -> None:
    print("\nRatios at each level (turns/s; p95 ms side by side):")
    print(
        f"{'clients':>7} {'pg-2/pg-1':>10} {'p95 pg-1':>9} {'p95 pg-2':>9} {'pg-1/sqlite':>12} "
        f"{'sqlite/stock':>13} {'p95 stock':>10} {'p95 sqlite':>11}"
    )
    for n in levels:
        r = {setup: results[setup][n] for setup in results}
        print(
            f"{n:>7} {r['pg-2']['turns/s'] / r['pg-1']['turns/s']:>9.2f}x {r['pg-1']['p95']:>9.0f} "
            f"{r['pg-2']['p95']:>9.0f} {r['pg-1']['turns/s'] / r['sqlite']['turns/s']:>11.2f}x "
            f"{r['sqlite']['turns/s'] / r['sqlite-stock']['turns/s']:>12.2f}x {r['sqlite-stock']['p95']:>10.0f} "
            f"{r['sqlite']['p95']:>11.0f}"
        )


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
    print(
        f"{'set-up':>12} {'clients':>7} {'turns':>6} {'turns/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'failed':>6} {'retries':>7}   cores busy (CPU seconds per second)",
        flush=True,
    )
    try:
        results = {setup: measure(setup, levels, args, twilio) for setup in args.setups.split(",")}
    finally:
        twilio.stop()
    if set(results) == set(SETUPS):
        ratios(results, levels)


if __name__ == "__main__":
    main()
