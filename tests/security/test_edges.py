"""Security items 10 and 11: what the public listener serves, Rasa's HTTP API without a token in
any URL and without its model endpoints, and the size of a request body (docs/security.md)."""

from __future__ import annotations

import uuid

import pytest
import requests

import settings
from harness.servers import PRODUCTION


def test_the_public_listener_serves_the_channels_but_none_of_rasas_http_api(stack):
    if not PRODUCTION:
        pytest.skip("one listener on the loopback in this profile: the production profile's nginx has two")
    sender = f"edge-{uuid.uuid4().hex}"
    assert stack.say(sender, "hello")
    public_api = requests.get(
        f"{stack.base_url}/conversations/{sender}/tracker", headers=stack.api_headers(), timeout=10
    )
    assert public_api.status_code == 404
    assert requests.get(f"{stack.base_url}/webhooks/health/ready", timeout=10).status_code == 200
    internal = requests.get(f"{stack.api_url}/conversations/{sender}/tracker", headers=stack.api_headers(), timeout=10)
    assert internal.status_code == 200 and internal.json()["sender_id"] == sender


@pytest.mark.parametrize(
    "method, path",
    [("PUT", "/model"), ("DELETE", "/model"), ("POST", "/model/train"), ("GET", "/status"), ("GET", "/domain")],
)
def test_the_model_endpoints_are_off_even_with_the_api_secret(stack, method, path):
    for url in {stack.api_url, *stack.replica_urls}:
        answer = requests.request(method, f"{url}{path}", headers=stack.api_headers(), json={}, timeout=10)
        assert answer.status_code == 404, (url, path)


def test_no_secret_travels_in_a_url(stack):
    sender = f"edge-{uuid.uuid4().hex}"
    stack.say(sender, "hello")
    assert stack.tracker(sender)["sender_id"] == sender
    logs = stack.logs()
    for name in ("RASA_API_TOKEN", "REST_CLIENT_TOKEN", "ACTION_SERVER_TOKEN"):
        assert stack.env[name] not in logs, name
    assert "token=" not in logs


def test_a_body_over_the_limit_is_refused_before_it_is_read(stack):
    oversized = b"x" * (settings.REQUEST_MAX_SIZE + 1)
    for path in ("/webhooks/rest/webhook", "/webhooks/sms/webhook", "/socket.io/?EIO=4&transport=polling"):
        answer = requests.post(
            f"{stack.base_url}{path}",
            data=oversized,
            headers={"Content-Type": "application/json", **stack.rest_headers},
            timeout=30,
        )
        assert answer.status_code == 413, path
    assert stack.say(f"edge-{uuid.uuid4().hex}", "hello")  # and the server goes on serving
