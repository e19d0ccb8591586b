"""Chat with the running assistant in the terminal, over the REST channel.

Buttons are shown as numbered choices; typing the number picks one.
Run: make shell   (while `make run` is running), or python -m channels.terminal [URL]
"""

from __future__ import annotations

import sys
import uuid

import requests

import settings
from channels import choices


def chat(url: str, lines, out=sys.stdout) -> None:
    """Send each line of `lines` to the assistant at `url` and print its replies."""
    sender = f"terminal-{uuid.uuid4().hex[:12]}"
    buttons: list = []
    for line in lines:
        message = choices.chosen_payload(line, buttons) or line.strip()
        if not message:
            continue
        answer = requests.post(
            url,
            json={"sender": sender, "message": message},
            headers={"Authorization": f"Bearer {settings.REST_CLIENT_TOKEN}"},
            timeout=60,
        )
        if answer.status_code == 401:
            sys.exit("The assistant refused this chat: REST_CLIENT_TOKEN here is not the server's (see .env).")
        replies = answer.json()
        buttons = []
        for reply in replies:
            buttons = reply.get("buttons") or []
            print("bot>", choices.render(reply.get("text", ""), buttons), file=out, flush=True)


def _typed_lines():
    """Lines from the keyboard (with a prompt) or from a pipe, until end of input."""
    interactive = sys.stdin.isatty()
    while True:
        try:
            line = input("you> ") if interactive else sys.stdin.readline()
        except EOFError:
            return
        if not interactive and not line:
            return
        yield line


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else f"{settings.RASA_URL}/webhooks/rest/webhook"
    if sys.stdin.isatty():
        print("Type a message and press Enter; Ctrl-D to leave.", flush=True)
    try:
        chat(url, _typed_lines())
    except requests.ConnectionError:
        sys.exit(f"The assistant is not answering at {url}: start it with `make run` first.")
    except KeyboardInterrupt:
        print()


if __name__ == "__main__":
    main()
