"""Starts the rasa server and the action server as one process group.

One Ctrl-C stops both; when either stops or crashes, the other is stopped and
the exit is reported (honcho's process manager). Prints where to talk to the
assistant once both answer. Run through `make run`.
"""
from __future__ import annotations

import sys
import threading
import time
import urllib.request

from honcho.manager import Manager

from bot import settings

SERVERS = {
    "actions": f"{sys.executable} -m bot.action_server",
    "rasa": f"{sys.executable} -m bot.serve",
    "console": f"{sys.executable} -m channels.console",
}


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


def _announce_when_ready(manager: Manager) -> None:
    base = f"http://{settings.HOST}:{settings.RASA_PORT}"
    health = (f"{base}/webhooks/rest/", f"http://{settings.HOST}:{settings.ACTION_SERVER_PORT}/health",
              f"http://{settings.HOST}:{settings.CONSOLE_PORT}/health")
    while not all(_answers(url) for url in health):
        if manager.returncode is not None:
            return
        time.sleep(1)
    print(
        "\nThe assistant is ready.\n"
        f"  Web chat (demo page):   {base}/webhooks/widget/\n"
        f"  Chat in this terminal:  make shell   (in another terminal)\n"
        f"  REST channel:           POST {base}/webhooks/rest/webhook  "
        '{"sender": "me", "message": "hello"}\n'
        f"  SMS webhook (Twilio):   {settings.SMS_WEBHOOK_URL}\n"
        f"  Staff console:          http://{settings.HOST}:{settings.CONSOLE_PORT}/   "
        "(accounts: python -m channels.console add-staff NAME --role agent)\n"
        f"  Action server:          http://{settings.HOST}:{settings.ACTION_SERVER_PORT}\n"
        "Press Ctrl-C to stop.\n",
        flush=True,
    )


def main() -> None:
    manager = Manager()
    for name, command in SERVERS.items():
        manager.add_process(name, command)
    threading.Thread(target=_announce_when_ready, args=(manager,), daemon=True).start()
    manager.loop()
    sys.exit(manager.returncode)


if __name__ == "__main__":
    main()
