"""Running custom actions without servers: a tracker built from events, a CollectingDispatcher,
the real domain, and a vault of the test's own that the actions open as in production. For the
scheduling forms: the slots offered on a day, and a start action followed by its form's validation."""

from __future__ import annotations

import asyncio
import base64
import os
import uuid
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import identity_seal
from bot.scheduling.slots import Slot
from bot.scheduling.when import CLINIC_TZ
from harness.servers import PROJECT_ROOT
from privacy import Vault, shared_vault
from privacy.config import VaultConfig

TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = 1, 2, 3, 4  # as date.weekday() numbers them
SENDER = "test"  # the conversation id of every tracker made here


@lru_cache(maxsize=1)
def domain() -> dict[str, Any]:
    from rasa.shared.core.domain import Domain

    return Domain.load(str(PROJECT_ROOT / "bot" / "domain")).as_dict()


@contextmanager
def actions_vault(directory: Path) -> Iterator[Vault]:
    """A new SQLite vault, which `bot.actions.common.vault()` opens from the environment."""
    keys = {
        "DATABASE_URL": f"sqlite:///{directory / 'vault.db'}",
        "KEYSTORE_URL": f"sqlite:///{directory / 'keystore.db'}",
        "VAULT_KEYS": f"kek-test-1:{base64.b64encode(os.urandom(32)).decode()}",
        "VAULT_INDEX_KEY": base64.b64encode(os.urandom(32)).decode(),
        "VAULT_AUDIT_KEY": base64.b64encode(os.urandom(32)).decode(),
    }
    saved = {name: os.environ.get(name) for name in keys}
    os.environ.update(keys)
    opened = Vault(VaultConfig.from_env(keys), upgrade=True)
    shared_vault.cache_clear()
    try:
        yield opened
    finally:
        shared_vault().close()
        shared_vault.cache_clear()
        opened.close()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def patient(vault: Vault, born: date = date(1980, 5, 17)) -> str:
    """A registered patient's subject id."""
    return vault.patients.register(
        f"Test {uuid.uuid4().hex[:8]}", born, phone=None, actor="staff:test", reason="test"
    ).subject_id


def vouched(subject: str) -> str:
    """The `verified_subject` value the action server gives `subject` in the test conversation."""
    return identity_seal.sealed(SENDER, subject)


def said(text: str, intent: str = "inform", entities: Optional[list] = None) -> dict[str, Any]:
    """A user event as Rasa stores it."""
    return {
        "event": "user",
        "text": text,
        "parse_data": {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []},
    }


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def tracker(
    events: list[dict[str, Any]], slots: Optional[dict[str, Any]] = None, active_loop: Optional[str] = None
) -> Tracker:
    """A tracker of `events`; the slots are those events set, over `slots`."""
    values = dict(slots or {})
    for event in events:
        if event["event"] == "slot":
            values[event["name"]] = event["value"]
    latest = next((e["parse_data"] for e in reversed(events) if e["event"] == "user"), {})
    return Tracker(
        SENDER, values, latest, events, False, None, {"name": active_loop} if active_loop else {}, "action_listen"
    )


def run(
    action, events: list[dict[str, Any]], slots: Optional[dict[str, Any]] = None, active_loop: Optional[str] = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run `action`; its events and the messages it sent."""
    dispatcher = CollectingDispatcher()
    result = asyncio.run(action.run(dispatcher, tracker(events, slots, active_loop), domain()))
    return result, dispatcher.messages


def set_by(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The slot values `events` set (the last value of each)."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def open_weekday(vault: Vault, weekday: int, days_ahead: int = 2) -> date:
    """The first `weekday` at least `days_ahead` days ahead on which the clinic is open."""
    day = datetime.now(CLINIC_TZ).date() + timedelta(days=days_ahead)
    while day.weekday() != weekday or day in vault.clinic.closures:
        day += timedelta(days=1)
    return day


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), CLINIC_TZ)


def offers_of(vault, day, hours, provider="patel", visit_type="in_person"):
    return [Slot(vault.clinic.provider(provider), at(day, hour, minute), visit_type).key() for hour, minute in hours]


def start_then_validate(start_action, form_action, form, subject, *events):
    """Run a start action on `events`, then the form's validation on what it set (as Rasa does)."""
    history = [*events]
    started, messages = run(start_action, history, {"verified_subject": vouched(subject)})
    history += [e for e in started if e["event"] == "slot"]
    validated, more = run(form_action, history, {"verified_subject": vouched(subject)}, active_loop=form)
    return {**set_by(started), **set_by(validated)}, messages + more
