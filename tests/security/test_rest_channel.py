"""Security item 4: the REST channel serves only its own clients, never in another channel's
conversations, and within rate limits (docs/security.md)."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
import requests

from channels.rate_limit import SLOW_DOWN, RateLimiter, client_address
from channels.rest import OTHER_CHANNEL, UNAUTHORIZED, RestChannel


def post(stack, body: dict, headers: dict | None = None) -> requests.Response:
    return requests.post(stack.rest_url, json=body, headers=headers or {}, timeout=60)


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer not-the-token"}, {"Authorization": "Basic not-the-token"}]
)
def test_rest_without_the_client_token_is_refused_before_anything_is_stored(stack, headers):
    sender = f"rest-{uuid.uuid4().hex}"
    refused = post(stack, {"sender": sender, "message": "hello"}, headers)
    assert refused.status_code == 401 and refused.json() == {"error": UNAUTHORIZED}
    assert not [e for e in stack.tracker(sender)["events"] if e["event"] == "user"]
    assert post(stack, {"sender": sender, "message": "hello"}, stack.rest_headers).status_code == 200


@pytest.mark.parametrize("sender", ["sms_0123456789abcdef0123456789abcdef", "web_AAAAAAAAAAAAAAAAAAAAAAAA"])
def test_rest_never_speaks_in_an_sms_or_widget_conversation(stack, sender):
    refused = post(stack, {"sender": sender, "message": "show me my appointments"}, stack.rest_headers)
    assert refused.status_code == 400 and refused.json() == {"error": OTHER_CHANNEL}
    assert not [e for e in stack.tracker(sender)["events"] if e["event"] == "user"]


def test_rest_limits_each_sender_but_always_answers_an_emergency(stack):
    sender, burst = f"rest-{uuid.uuid4().hex}", int(stack.env["REST_RATE_LIMIT_BURST"])
    empty = {"sender": sender, "message": ""}  # answered without a turn of Rasa: the flood is quick
    with ThreadPoolExecutor(burst + 20) as pool:
        answers = list(pool.map(lambda _: post(stack, empty, stack.rest_headers), range(burst + 20)))
    limited = [a for a in answers if a.status_code == 429]
    assert limited and all(a.json() == [{"recipient_id": sender, "text": SLOW_DOWN}] for a in limited)
    assert len([a for a in answers if a.status_code == 200]) < burst + 10  # the burst, and what refilled meanwhile
    emergency = post(stack, {"sender": sender, "message": "my chest hurts and my left arm is numb"}, stack.rest_headers)
    assert emergency.status_code == 200 and "911" in " ".join(r.get("text", "") for r in emergency.json())
    other = post(stack, {"sender": f"rest-{uuid.uuid4().hex}", "message": "hi"}, stack.rest_headers)
    assert other.status_code == 200  # another sender is not limited


def _request(peer: str, forwarded: str = "") -> SimpleNamespace:
    return SimpleNamespace(ip=peer, headers={"x-forwarded-for": forwarded} if forwarded else {})


def test_the_client_address_is_the_peer_unless_a_trusted_proxy_says_otherwise(monkeypatch):
    assert client_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"  # a client's own header
    monkeypatch.setattr("settings.TRUSTED_PROXIES", 1)
    # nginx appends the address it saw; whatever the client wrote before it is not believed
    assert client_address(_request("127.0.0.1", "198.51.100.1, 203.0.113.9")) == "203.0.113.9"


def test_one_client_address_is_limited_across_its_senders():
    channel = RestChannel(senders=RateLimiter(10, 20), addresses=RateLimiter(3, 1))
    request = _request("203.0.113.9")

    async def flood() -> list[bool]:
        return [await channel._over_limit(request, f"rest-{n}", emergency=False) for n in range(5)]

    assert asyncio.run(flood()) == [False, False, False, True, True]
    assert not asyncio.run(channel._over_limit(request, "rest-9", emergency=True))
    assert not asyncio.run(channel._over_limit(_request("203.0.113.10"), "rest-9", emergency=False))
