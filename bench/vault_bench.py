"""Vault speed: encryption, records stored per second, and the encrypted tracker store
beside Rasa's stock SQLTrackerStore on the same database, in the same run.

Prints:
  1. AES-256-GCM seal/open µs per record, with the data-key cache warm;
  2. health records stored per second (each with its audit entry) on SQLite and PostgreSQL;
  3. tracker store save + retrieve per turn, ours and the stock SQLTrackerStore, and the ratio;
  4. REST turn latency with each store under the real rasa server (SQLite), and the ratio.
Run: .venv/bin/python bench/vault_bench.py   (PostgreSQL parts are skipped if it is not running)
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

from harness.databases import create_pg_database, drop_pg_database, postgres_available  # noqa: E402
from harness.servers import Stack, server_environment  # noqa: E402
from privacy import Vault  # noqa: E402
from privacy.config import VaultConfig  # noqa: E402


def config(data_url: str, keys_url: str) -> VaultConfig:
    return VaultConfig(data_url, keys_url, {"kek-bench": os.urandom(32)}, os.urandom(32), os.urandom(32))


def crypto_figures(vault: Vault, n: int = 20000) -> None:
    subject = vault.subjects.create("patient")
    value = "Intake: cough for 3 days, mild fever, takes lisinopril 10 mg, allergic to penicillin." * 2
    vault.sealer.seal(subject, "health_records", "value", "warm", value)
    start = time.perf_counter()
    sealed = [vault.sealer.seal(subject, "health_records", "value", str(i), value) for i in range(n)]
    seal_us = (time.perf_counter() - start) / n * 1e6
    start = time.perf_counter()
    for i, blob in enumerate(sealed):
        vault.sealer.open(blob, "health_records", "value", str(i))
    open_us = (time.perf_counter() - start) / n * 1e6
    print(f"AES-256-GCM, {len(value)}-byte record, data-key cache warm: seal {seal_us:.1f} µs, open {open_us:.1f} µs")


def records_per_second(vault: Vault, label: str, n: int = 300) -> None:
    subject = vault.subjects.create("patient")
    start = time.perf_counter()
    for i in range(n):
        vault.records.put(subject, "symptom", f"symptom number {i}", actor="bench", reason="bench")
    print(f"{label:11} health records stored: {n / (time.perf_counter() - start):7.0f} per second (with audit entry)")


def turn_events(turn: int):
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

    parse = {
        "intent": {"name": "privacy_question", "confidence": 0.97},
        "entities": [],
        "text": f"question number {turn} about how you keep my data",
    }
    return [
        UserUttered(parse["text"], parse["intent"], [], parse),
        ActionExecuted("action_answer_privacy_question"),
        BotUttered("We keep your data only as long as we need it.", {"elements": None}),
        SlotSet("red_flag", None),
        ActionExecuted("action_listen"),
    ]


async def store_turns(store, domain, conversations: int = 20, turns: int = 10) -> float:
    """Mean seconds per turn for retrieve + save, as Rasa does for each message."""
    from rasa.shared.core.events import ActionExecuted, SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker

    store.domain = domain
    times = []
    for _ in range(conversations):
        sender = f"bench-{uuid.uuid4().hex}"
        for turn in range(turns):
            start = time.perf_counter()
            tracker = await store.retrieve(sender)
            if tracker is None:
                tracker = DialogueStateTracker(sender, domain.slots)
                tracker.update_with_events(
                    [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")], domain
                )
            tracker.update_with_events(turn_events(turn), domain)
            await store.save(tracker)
            times.append(time.perf_counter() - start)
    return statistics.mean(times)


def tracker_store_ratio(label: str, cfg: VaultConfig, stock_kwargs: dict) -> None:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    from bot.plugins.tracker_store import EncryptedTrackerStore

    domain = Domain.load(str(Path(__file__).resolve().parents[1] / "bot" / "domain"))
    Vault(cfg, upgrade=True).close()
    os.environ.update(
        DATABASE_URL=cfg.database_url,
        KEYSTORE_URL=cfg.keystore_url,
        VAULT_INDEX_KEY=_b64(cfg.index_key),
        VAULT_AUDIT_KEY=_b64(cfg.audit_key),
        VAULT_KEYS=f"kek-bench:{_b64(cfg.key_ring['kek-bench'])}",
    )
    ours, stock = EncryptedTrackerStore(domain), SQLTrackerStore(domain, **stock_kwargs)
    for _ in range(2):  # warm-up round, then the measured one
        mine = asyncio.run(store_turns(ours, domain))
        theirs = asyncio.run(store_turns(stock, domain))
    print(
        f"{label:11} tracker store retrieve + save per turn: encrypted {mine * 1000:.2f} ms, "
        f"stock SQLTrackerStore {theirs * 1000:.2f} ms, ratio {mine / theirs:.2f}x"
    )


def _b64(key: bytes) -> str:
    import base64

    return base64.b64encode(key).decode()


def rest_turn_ratio(directory: Path) -> None:
    """Median REST turn latency under the real rasa server, stock SQL store vs encrypted store."""

    stock_endpoints = directory / "stock-endpoints.yml"
    stock_endpoints.write_text(
        "action_endpoint:\n  url: ${ACTION_SERVER_URL}\n"
        "  headers:\n    X-Action-Token: ${ACTION_SERVER_TOKEN}\n"
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {directory / 'stock.db'}\n"
    )
    results = {}
    for label, overrides in (("stock SQL", {"ENDPOINTS_FILE": str(stock_endpoints)}), ("encrypted", {})):
        run_dir = directory / label.replace(" ", "-")
        run_dir.mkdir()
        stack = Stack.create(
            server_environment(run_dir / "bench.env", LOG_LEVEL="WARNING", **overrides), run_dir
        ).start()
        try:
            script = ["hello", "what's your phone number?", "do you share my data?", "thanks", "no", "bye"]
            for _ in range(3):  # warm-up
                for message in script:
                    stack.say(f"warm-{uuid.uuid4().hex}", message)
            times = []
            for _ in range(25):
                sender = f"bench-{uuid.uuid4().hex}"
                for message in script:
                    start = time.perf_counter()
                    stack.say(sender, message)
                    times.append(time.perf_counter() - start)
            results[label] = (statistics.median(times), statistics.mean(times))
        finally:
            stack.stop()
    (sp50, smean), (ep50, emean) = results["stock SQL"], results["encrypted"]
    print(
        f"REST turn (SQLite, 1 client, 150 turns): stock SQL store p50 {sp50 * 1000:.1f} ms "
        f"mean {smean * 1000:.1f} ms; encrypted p50 {ep50 * 1000:.1f} ms mean {emean * 1000:.1f} ms; "
        f"ratio p50 {ep50 / sp50:.2f}x mean {emean / smean:.2f}x"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        sqlite = config(f"sqlite:///{directory / 'v.db'}", f"sqlite:///{directory / 'k.db'}")
        vault = Vault(sqlite, upgrade=True)
        crypto_figures(vault)
        records_per_second(vault, "SQLite")
        vault.close()
        pg_reason, pg_names = postgres_available(), []
        if pg_reason is None:
            pg_names = [f"ht_bench_{part}_{uuid.uuid4().hex[:8]}" for part in ("data", "keys")]
            postgres = config(*(create_pg_database(name) for name in pg_names))
            vault = Vault(postgres, upgrade=True)
            records_per_second(vault, "PostgreSQL")
            vault.close()
        else:
            print(f"PostgreSQL skipped: {pg_reason}")
        try:
            tracker_store_ratio("SQLite", sqlite, {"dialect": "sqlite", "db": str(directory / "v.db")})
            if pg_names:
                from sqlalchemy.engine import make_url

                url = make_url(postgres.database_url)
                tracker_store_ratio(
                    "PostgreSQL",
                    postgres,
                    {
                        "dialect": "postgresql",
                        "host": url.host,
                        "port": url.port,
                        "db": url.database,
                        "username": url.username,
                    },
                )
        finally:
            for name in pg_names:
                drop_pg_database(name)
        rest_turn_ratio(directory)


if __name__ == "__main__":
    main()
