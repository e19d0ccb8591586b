"""How the end-to-end tests reach the running assistant: a patient's REST chat, phone (SMS through
the Twilio stand-in) and browser socket (the widget)."""

from __future__ import annotations

import queue
import random
import time
import uuid
from datetime import timedelta
from urllib.parse import urlencode

import socketio

from harness.twilio_standin import inbound, post_signed

# The address Twilio signs, as a proxy in front of the server would make it differ from the server's own.
SMS_PUBLIC_URL = "https://sms.healthtigo.test/webhooks/sms/webhook"
EMERGENCY = "I have crushing chest pain and can't breathe"

# Line numbers 2000-9999, each handed out once in a run (registered test patients use 0100-0199):
# two tests sharing a number would share one conversation and one opt-out.
_unused_lines = iter(random.sample(range(2000, 10000), 8000))


def unused_number(area: str = "972") -> str:
    """A phone number no other test or simulated patient in this run has texted from."""
    return f"+1{area}555{next(_unused_lines):04d}"


class Chat:
    """One patient's conversation over the REST channel."""

    def __init__(self, stack):
        self.stack, self.sender, self.replies = stack, f"web-{uuid.uuid4().hex}", []

    def __call__(self, message: str) -> str:
        self.replies = self.stack.say(self.sender, message)
        return "\n".join(r.get("text", "") for r in self.replies)

    def buttons(self) -> list[dict]:
        return [b for r in self.replies for b in r.get("buttons", [])]


class Phone:
    """A patient's phone texting the clinic."""

    def __init__(self, stack, twilio, number=None):
        self.stack, self.twilio = stack, twilio
        self.number = number or unused_number()
        self.webhook = f"{stack.base_url}/webhooks/sms/webhook"

    def post(self, body="", signature=None, **extra):
        fields = inbound(self.number, body, **extra)
        return post_signed(self.webhook, SMS_PUBLIC_URL, self.twilio.auth_token, fields, signature)

    def text(self, body, **extra) -> list[str]:
        """Send `body`; return the replies it got (once nothing more arrives)."""
        before = len(self.twilio.to(self.number))
        answer = self.post(body, **extra)
        assert answer.status_code == 200 and "<Response" in answer.text
        self.twilio.wait_for(self.number, before + 1)
        return self.twilio.quiet(self.number)[before:]

    def sender(self, vault) -> str:
        return vault.sms.pseudonym(self.number)


def abandon(vault, phone, body, sid):
    """A message a process accepted and then died before answering: kept, its claim run out."""
    raw = urlencode(inbound(phone.number, body, sid=sid))
    sender = vault.sms.sender_for(phone.number)
    assert vault.sms_inbox.receive(sid, sender, raw, owner="stopped", lease=timedelta(0))
    return sender


def words(texts: list[str]) -> list[str]:
    return " ".join(texts).split()


class Browser:
    """One browser tab's socket: what it is sent, event by event."""

    def __init__(self, stack, origin=None, url=None):
        self.events: queue.Queue = queue.Queue()
        self.token = None  # the session's token, as last confirmed or renewed
        self.sio = socketio.Client(reconnection=False)
        for name in ("session_confirm", "history", "bot_uttered", "session_token", "turn_done", "session_ended"):
            self.sio.on(name, lambda data=None, name=name: self.events.put((name, data)))
        origin = origin or stack.base_url
        self.sio.connect(url or stack.base_url, headers={"Origin": origin}, transports=["polling"], wait_timeout=10)

    def next(self, name, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event, data = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if event == name:
                return data
        raise AssertionError(f"no {name} within {timeout}s")

    def session(self, session_id=None, token=None) -> dict:
        self.sio.emit("session_request", {"session_id": session_id, "token": token})
        confirmed = self.next("session_confirm")
        self.token = confirmed["token"]
        return confirmed

    def say(self, text) -> list[dict]:
        """Send `text`; return the bot messages of the turn."""
        self.sio.emit("user_uttered", {"message": text})
        said = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            event, data = self.events.get(timeout=60)
            if event == "bot_uttered":
                said.append(data)
            elif event == "session_token":
                self.token = data["token"]
            elif event == "turn_done":
                return said
        raise AssertionError("the turn did not end")

    def quiet(self, seconds=2.0) -> list:
        time.sleep(seconds)
        seen = []
        while not self.events.empty():
            seen.append(self.events.get())
        return seen

    def close(self):
        """Close the tab: without waiting for the long poll in flight to end."""
        self.sio.eio.disconnect(abort=True)
