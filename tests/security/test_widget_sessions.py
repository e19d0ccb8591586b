"""Security item 9: widget sessions expire, can be ended, replay only their live Rasa session,
and new ones are limited per client address (docs/security.md)."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import pytest
import requests

from channels.rate_limit import RateLimiter
from channels.widget_sessions import IDLE, LIFETIME, EndedSessions, issued_at, new_session_id, session_token
from harness.clients import Browser


@pytest.fixture
def secret(stack, monkeypatch):
    """The stack's widget key, so that this process can write tokens the servers accept."""
    monkeypatch.setattr("settings.WIDGET_SECRET", stack.env["WIDGET_SECRET"])


@pytest.fixture
def tab(stack):
    browser = Browser(stack)
    yield browser
    browser.close()


def test_a_token_is_renewed_with_each_message_and_resumes_its_session(stack, tab):
    first = tab.session()
    assert tab.say("hello")
    renewed = tab.token  # sent after the turn: the same session start, renewed now
    assert renewed.split(".")[0] == first["token"].split(".")[0]
    again = Browser(stack)
    try:
        resumed = again.session(first["session_id"], renewed)
        assert resumed["resumed"] and resumed["session_id"] == first["session_id"]
        assert any(m["sender"] == "user" and m["text"] == "hello" for m in again.next("history")["messages"])
    finally:
        again.close()


@pytest.mark.parametrize(
    "issued_ago, renewed_ago",
    [(IDLE + 60, IDLE + 60), (LIFETIME + 30, 60)],
    ids=["idle for more than 30 minutes", "begun more than 24 hours ago"],
)
def test_an_expired_token_starts_a_new_session(secret, tab, issued_ago, renewed_ago):
    session_id, now = new_session_id(), int(time.time())
    token = session_token(session_id, int(now - issued_ago), now=now - renewed_ago)
    assert issued_at(session_id, token, now=now - renewed_ago) is not None  # it was valid when written
    confirmed = tab.session(session_id, token)
    assert not confirmed["resumed"] and confirmed["session_id"] != session_id


def test_an_ended_chat_cannot_be_resumed_and_its_other_tabs_are_told(stack, tab):
    first = tab.session()
    assert tab.say("hello")
    token = tab.token
    other = Browser(stack)
    try:
        assert other.session(first["session_id"], token)["resumed"]
        tab.sio.emit("session_end", {})
        other.next("session_ended")
        tab.next("session_ended")
    finally:
        other.close()
    later = Browser(stack)
    try:
        confirmed = later.session(first["session_id"], token)
        assert not confirmed["resumed"] and confirmed["session_id"] != first["session_id"]
    finally:
        later.close()


def test_history_replays_only_the_live_rasa_session(stack, tab):
    first = tab.session()
    assert tab.say("hello")
    token = tab.token
    started = requests.post(
        f"{stack.api_url}/conversations/{first['session_id']}/tracker/events",
        json=[{"event": "session_started"}],
        headers=stack.api_headers(),
        timeout=30,
    )
    assert started.status_code == 200
    again = Browser(stack)
    try:
        assert again.session(first["session_id"], token)["resumed"]
        assert again.next("history")["messages"] == []
    finally:
        again.close()


def test_ended_sessions_are_forgotten_only_when_their_tokens_have_expired():
    now = [1000.0]
    ended = EndedSessions(clock=lambda: now[0])
    asyncio.run(ended.end("web_x"))
    now[0] += LIFETIME - 1
    assert asyncio.run(ended.ended("web_x"))
    now[0] += 2
    assert not asyncio.run(ended.ended("web_x"))


def test_new_sessions_are_limited_per_client_address(monkeypatch):
    from channels.widget import WidgetChannel

    monkeypatch.setattr("settings.WIDGET_SECRET", "test-secret")
    channel = WidgetChannel(new_sessions=RateLimiter(2, 1))
    environ = {"sanic.request": SimpleNamespace(ip="203.0.113.9", headers={})}
    monkeypatch.setattr(channel.sio, "get_environ", lambda sid: environ)
    opened = [asyncio.run(channel._may_open_session(f"sid-{n}")) for n in range(4)]
    assert opened == [True, True, False, False]
    environ = {"sanic.request": SimpleNamespace(ip="203.0.113.10", headers={})}
    assert asyncio.run(channel._may_open_session("sid-9"))
