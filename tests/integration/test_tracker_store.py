"""The encrypted tracker store under the real rasa server, on SQLite and PostgreSQL."""

import re
import subprocess
import sys
import uuid

import pytest
import requests
from sqlalchemy import func, select, text

from harness.databases import create_pg_database, drop_pg_database, postgres_available, stored_bytes
from harness.servers import PROJECT_ROOT, Stack, server_environment
from privacy.store.schema import conversation_events

CANARY_NAME = "Zebulon Quartermaine"
CANARY_PHONE = "214-555-0147"
CANARY_EMAIL = "zebulon.quartermaine@example.org"
CANARY_SYMPTOM = "purple tingling in my left earlobe"
SCRIPT = [
    "hello",
    f"my name is {CANARY_NAME}, you can text me at {CANARY_PHONE}",
    f"my email is {CANARY_EMAIL}",
    f"I have {CANARY_SYMPTOM}",
    "do you share my data?",
]
CANARIES = [CANARY_NAME, "Quartermaine", "Zebulon", "555-0147", "5550147", CANARY_EMAIL, "earlobe"]


@pytest.fixture(scope="module")
def pg_stack(model, tmp_path_factory):
    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    logs = tmp_path_factory.mktemp("pg-stack")
    names = [f"ht_{part}_{uuid.uuid4().hex[:12]}" for part in ("data", "keys")]
    data_url, keys_url = (create_pg_database(name) for name in names)
    env = server_environment(logs / "test.env", LOG_LEVEL="DEBUG", DATABASE_URL=data_url, KEYSTORE_URL=keys_url)
    running = Stack.create(env, logs).start()
    yield running
    running.stop()
    for name in names:
        drop_pg_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_stack(request):
    return request.getfixturevalue("stack" if request.param == "sqlite" else "pg_stack")


def test_a_canary_conversation_is_stored_encrypted_and_never_logged(any_stack, sender):
    for message in SCRIPT:
        assert any_stack.say(sender, message)
    tracker = any_stack.tracker(sender)  # stored and readable through the store
    said = [e["text"] for e in tracker["events"] if e["event"] == "user"]
    assert said == SCRIPT
    vault = any_stack.vault()
    try:
        conversation = vault.conversations.id_for(sender)
        with vault.data.connect() as db:
            rows = db.execute(
                select(func.count())
                .select_from(conversation_events)
                .where(conversation_events.c.conversation_id == conversation)
            ).scalar()
    finally:
        vault.close()
    assert rows == len(tracker["events"])  # one encrypted row per event, not one blob
    stored, logs = stored_bytes(any_stack), any_stack.logs()
    for canary in CANARIES + [sender]:
        assert canary.encode() not in stored, canary
        assert canary not in logs, canary
    assert "DEBUG" in logs  # the logs searched are the most detailed ones


def test_a_conversation_survives_a_restart_of_the_rasa_server(pg_stack, sender):
    pg_stack.say(sender, "hello")
    pg_stack.say(sender, "thanks")  # the bot asks whether there is anything else
    pg_stack.rasa.stop()
    pg_stack.rasa.start()
    reply = " ".join(r.get("text", "") for r in pg_stack.say(sender, "no"))
    assert "Goodbye" in reply  # the answer to "anything else?" needed the stored history


def vault_readiness(stack) -> list[int]:
    """The /ready status codes of the processes that need only the vault."""
    return [requests.get(f"{url}/ready", timeout=30).status_code for url in (stack.action_url, stack.console_url)]


def test_a_failing_store_tells_the_patient_and_turns_readiness_false(stack, sender):
    assert stack.ready().status_code == 200 and vault_readiness(stack) == [200, 200]
    vault = stack.vault()
    try:
        with vault.data.begin() as db:
            db.execute(text("ALTER TABLE conversation_events RENAME TO conversation_events_away"))
        try:
            replies = stack.say(sender, "what's your phone number?")
            assert "something went wrong on our side" in replies[0]["text"] and "try again" in replies[0]["text"]
            ready = stack.ready()
            assert ready.status_code == 503 and ready.json()["tracker_store"] is False
            assert vault_readiness(stack) == [503, 503]
        finally:
            with vault.data.begin() as db:
                db.execute(text("ALTER TABLE conversation_events_away RENAME TO conversation_events"))
    finally:
        vault.close()
    assert "469-421-2618" in stack.say(sender, "what's your phone number?")[0]["text"]
    assert stack.ready().status_code == 200 and vault_readiness(stack) == [200, 200]
    assert re.search(r"Tracker store save failed: (Operational|Programming)Error", stack.rasa.log())


def test_the_server_refuses_to_start_when_the_vault_cannot_open(tmp_path):
    env = server_environment(tmp_path / "test.env", VAULT_KEYS="kek-x:not-base64!")
    done = subprocess.run(
        [sys.executable, "-m", "runtime.serve"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "The vault cannot be opened" in done.stderr and "Traceback" not in done.stderr
