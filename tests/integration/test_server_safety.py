"""Safe defaults of the rasa server and the action server."""

import json
import socket
import subprocess
import sys

import pytest
import requests

from channels.rasa_api_auth import api_headers
from harness.servers import PROJECT_ROOT


def test_the_http_api_requires_a_jwt_in_the_authorization_header(stack, sender):
    stack.say(sender, "hi")
    url = f"{stack.api_url}/conversations/{sender}/tracker"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, params={"token": stack.env["RASA_API_TOKEN"]}, timeout=10).status_code == 401
    assert requests.get(url, headers=api_headers("not-the-secret"), timeout=10).status_code == 401
    assert requests.get(url, headers=stack.api_headers(), timeout=10).status_code == 200


def test_the_http_api_is_off_without_a_token(model, monkeypatch):
    import settings
    from runtime import serve

    monkeypatch.setattr(settings, "RASA_API_TOKEN", "")
    args = serve.server_arguments()
    assert "--enable-api" not in args and not any(arg.startswith("--jwt-secret") for arg in args)


def test_a_token_that_starts_with_a_dash_reaches_rasa_whole(model, monkeypatch):
    from rasa.__main__ import create_argument_parser

    import settings
    from runtime import serve

    monkeypatch.setattr(settings, "RASA_API_TOKEN", "-Xy_token")
    parsed = create_argument_parser().parse_args(serve.server_arguments())
    assert parsed.enable_api and parsed.jwt_secret == "-Xy_token" and parsed.auth_token is None


def test_cors_allows_only_configured_origins(stack):
    url = f"{stack.base_url}/webhooks/rest/webhook"
    preflight = {"Access-Control-Request-Method": "POST"}
    evil = requests.options(url, headers={"Origin": "https://evil.example", **preflight}, timeout=10)
    assert "Access-Control-Allow-Origin" not in evil.headers
    own = stack.base_url  # the public address (nginx's, in front of the replicas)
    allowed = requests.options(url, headers={"Origin": own, **preflight}, timeout=10)
    assert allowed.headers.get("Access-Control-Allow-Origin") == own


def _external_address():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("10.255.255.255", 1))  # no packet is sent; picks the outward interface
        address = probe.getsockname()[0]
    if address.startswith("127."):
        pytest.skip("this machine has no non-loopback address")
    return address


@pytest.mark.parametrize("port_name", ["RASA_PORT", "ACTION_SERVER_PORT"])
def test_servers_listen_on_loopback_only(stack, port_name):
    address = _external_address()
    with pytest.raises(OSError):
        socket.create_connection((address, int(stack.env[port_name])), timeout=3)


def test_the_action_server_refuses_callers_without_the_token(stack):
    call = {"next_action": "action_answer_privacy_question", "tracker": {}, "domain": {}, "version": "3.6.21"}
    assert requests.post(f"{stack.action_url}/webhook", json=call, timeout=10).status_code == 403
    wrong = {"X-Action-Token": "not-the-token"}
    assert requests.post(f"{stack.action_url}/webhook", json=call, headers=wrong, timeout=10).status_code == 403


def test_an_action_error_does_not_echo_the_tracker(stack):
    canary = "Canary Zebulon Quartermaine has chest pain"
    # A tracker whose latest message is not a dict makes the action fail inside rasa-sdk.
    call = {
        "next_action": "action_answer_privacy_question",
        "version": "3.6.21",
        "domain": {},
        "tracker": {"sender_id": canary, "latest_message": canary, "events": [{"event": "user", "text": canary}]},
    }
    reply = requests.post(
        f"{stack.action_url}/webhook",
        json=call,
        headers={"X-Action-Token": stack.env["ACTION_SERVER_TOKEN"]},
        timeout=10,
    )
    assert reply.status_code == 500
    assert "Canary" not in reply.text and "Zebulon" not in reply.text
    assert "Zebulon" not in stack.actions.log()


def test_when_the_action_server_is_down_the_patient_gets_a_polite_answer(stack, sender):
    stack.actions.stop()
    try:
        replies = stack.say(sender, "do you share my data?")
    finally:
        stack.actions.start()
    text = " ".join(r.get("text", "") for r in replies)
    assert "something went wrong on our side" in text and "911" in text
    assert "Traceback" not in text
    # and once it is back, the same question is answered
    assert "explicit consent" in " ".join(r.get("text", "") for r in stack.say(sender, "do you share my data?"))


def test_a_malformed_rest_request_gets_a_clear_error(stack):
    for body in ("not json", json.dumps({"message": "hi"}), json.dumps({"sender": "x" * 200, "message": "hi"})):
        reply = requests.post(
            stack.rest_url, data=body, headers={"Content-Type": "application/json", **stack.rest_headers}, timeout=10
        )
        assert reply.status_code == 400
        assert "sender" in reply.json()["error"]


def test_an_oversized_message_gets_a_clear_answer(stack, sender):
    replies = stack.say(sender, "my knee hurts " * 200)
    assert "too long" in replies[0]["text"]


def test_telemetry_and_error_reporting_stay_off():
    probe = (
        "import sentry_sdk, runtime.rasa_cli as cli\n"
        "try:\n    cli.main(['telemetry'])\nexcept SystemExit:\n    pass\n"
        "import rasa.telemetry as t\n"
        "print('telemetry', t.is_telemetry_enabled())\n"
        "print('sentry', sentry_sdk.Hub.current.client is not None)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert "telemetry False" in done.stdout and "sentry False" in done.stdout, done.stdout + done.stderr
