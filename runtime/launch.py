"""Starts the assistant's servers as one process group (`make run`).

One Ctrl-C stops them all; when one stops or crashes, the others are stopped and
the exit is reported (honcho's process manager). Prints where to talk to the
assistant once every server says it is ready. runtime/production.py starts the
production profile's servers the same way.
"""

from __future__ import annotations

import os
import shlex
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from typing import Mapping

from honcho.manager import Manager

import settings


@dataclass(frozen=True)
class Server:
    """One process: its command, its environment and the URL that answers 200 once it is ready."""

    name: str
    argv: list[str]
    env: Mapping[str, str]
    ready_url: str


# Secrets only the action server is given (settings.py says what each protects).
ACTION_SERVER_SECRETS = ("IDENTITY_SEAL_KEY",)


def without_action_secrets(env: Mapping[str, str]) -> dict[str, str]:
    """`env` for any process but the action server: its secrets set empty, so that .env does not fill them in."""
    return {**env, **{name: "" for name in ACTION_SERVER_SECRETS}}


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


def single(env: Mapping[str, str]) -> list[Server]:
    """The development profile: one rasa server, one action server, the console, run with `env`
    (where it names no host or port, the defaults of settings.py)."""
    host = env.get("BIND_HOST") or settings.HOST

    def port(name: str, default: int) -> str:
        return env.get(name) or str(default)

    return [
        Server(
            "actions",
            [sys.executable, "-m", "runtime.action_server"],
            env,
            f"http://{host}:{port('ACTION_SERVER_PORT', settings.ACTION_SERVER_PORT)}/ready",
        ),
        Server(
            "rasa",
            [sys.executable, "-m", "runtime.serve"],
            without_action_secrets(env),
            f"http://{host}:{port('RASA_PORT', settings.RASA_PORT)}/webhooks/health/ready",
        ),
        Server(
            "console",
            [sys.executable, "-m", "channels.console"],
            without_action_secrets(env),
            f"http://{host}:{port('CONSOLE_PORT', settings.CONSOLE_PORT)}/ready",
        ),
    ]


def banner(public_url: str, console_url: str, sms_url: str, extra: str = "") -> str:
    return (
        "\nThe assistant is ready.\n"
        f"  Web chat (demo page):   {public_url}/webhooks/widget/\n"
        f"  Chat in this terminal:  make shell   (in another terminal)\n"
        f"  REST channel:           POST {public_url}/webhooks/rest/webhook  "
        '{"sender": "me", "message": "hello"}  (Authorization: Bearer REST_CLIENT_TOKEN of .env)\n'
        f"  SMS webhook (Twilio):   {sms_url}\n"
        f"  Staff console:          {console_url}/   "
        "(accounts: python -m channels.console add-staff NAME --role agent)\n"
        f"{extra}"
        "Press Ctrl-C to stop.\n"
    )


def _announce_when_ready(manager: Manager, servers: list[Server], text: str) -> None:
    while not all(answers(server.ready_url) for server in servers):
        if manager.returncode is not None:
            return
        time.sleep(1)
    print(text, flush=True)


def run(servers: list[Server], text: str) -> None:
    """Run `servers` until Ctrl-C or until one of them stops; print `text` once all are ready."""
    manager = Manager()
    for server in servers:
        manager.add_process(server.name, shlex.join(server.argv), env=dict(server.env))
    threading.Thread(target=_announce_when_ready, args=(manager, servers, text), daemon=True).start()
    manager.loop()
    sys.exit(manager.returncode)


def main() -> None:
    host = settings.HOST
    run(
        single(dict(os.environ)),
        banner(
            f"http://{host}:{settings.RASA_PORT}",
            f"http://{host}:{settings.CONSOLE_PORT}",
            settings.SMS_WEBHOOK_URL,
            f"  Action server:          http://{host}:{settings.ACTION_SERVER_PORT}\n",
        ),
    )


if __name__ == "__main__":
    main()
