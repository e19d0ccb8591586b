"""Chatting in the terminal (make shell) against the running assistant."""

import os
import subprocess
import sys

from harness.servers import PROJECT_ROOT


def test_terminal_chat_shows_replies_and_numbered_choices(stack):
    typed = "hello\ntell me about your privacy policy\n4\n"
    done = subprocess.run(
        [sys.executable, "-m", "channels.terminal", stack.rest_url],
        env={**os.environ, "REST_CLIENT_TOKEN": stack.env["REST_CLIENT_TOKEN"]},
        input=typed,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Healthtigo's virtual assistant" in done.stdout
    assert "4. My rights" in done.stdout
    assert "machine-readable format" in done.stdout  # "4" picked "My rights"


def test_terminal_chat_says_how_to_start_the_assistant_when_it_is_not_running():
    done = subprocess.run(
        [sys.executable, "-m", "channels.terminal", "http://127.0.0.1:9/webhooks/rest/webhook"],
        input="hello\n",
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "make run" in done.stderr
