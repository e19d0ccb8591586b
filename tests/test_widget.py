"""The widget's Socket.IO channel against the running rasa server: origins, sessions bound to
their token, history after a reconnect, rate limits and emergencies."""
import queue
import time

import pytest
import socketio

from bot.emergency import answer_to
from safety import assess
from channels.rate_limit import SLOW_DOWN


class Browser:
    """One browser tab's socket: what it is sent, event by event."""

    def __init__(self, stack, origin=None, url=None):
        self.events: queue.Queue = queue.Queue()
        self.sio = socketio.Client(reconnection=False)
        for name in ("session_confirm", "history", "bot_uttered", "turn_done"):
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
        return self.next("session_confirm")

    def say(self, text) -> list[dict]:
        """Send `text`; return the bot messages of the turn."""
        self.sio.emit("user_uttered", {"message": text})
        said = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            event, data = self.events.get(timeout=60)
            if event == "bot_uttered":
                said.append(data)
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


@pytest.fixture
def browsers(stack):
    opened = []
    yield lambda **kw: opened.append(Browser(stack, **kw)) or opened[-1]
    for browser in opened:
        browser.close()


def test_an_origin_not_on_the_allowlist_is_refused(stack, browsers):
    with pytest.raises(socketio.exceptions.ConnectionError):
        Browser(stack, origin="https://evil.example")
    assert browsers().session()["session_id"].startswith("web_")


def test_a_reconnect_with_the_token_resumes_the_conversation_and_its_replies(browsers):
    first = browsers()
    session = first.session()
    assert session["resumed"] is False
    greeting = first.say("hello")
    assert greeting and all(m["timestamp"] for m in greeting)
    first.close()
    again = browsers()
    resumed = again.session(session["session_id"], session["token"])
    assert resumed == {**session, "resumed": True}
    history = again.next("history")["messages"]
    assert [m["sender"] for m in history][:1] == ["user"] and history[0]["text"] == "hello"
    assert [m["text"] for m in history[1:]] == [m["text"] for m in greeting]
    assert again.say("what can you do?")  # replies reach the resumed socket


def test_another_browser_cannot_join_read_or_write_a_conversation(stack, browsers):
    patient, intruder = browsers(), browsers()
    session = patient.session()
    patient.say("hello")
    for token in (None, "", "forged-token", session["token"][:-1] + "x"):
        other = intruder.session(session["session_id"], token)
        assert other["session_id"] != session["session_id"] and other["resumed"] is False
    assert all(name != "history" for name, _ in intruder.quiet(0.5))
    patient.say("what can you do?")
    assert all(name not in ("bot_uttered", "history") for name, _ in intruder.quiet(1))
    before = len(stack.tracker(session["session_id"])["events"])
    intruder.sio.emit("user_uttered", {"message": "goodbye", "session_id": session["session_id"]})
    intruder.next("turn_done")
    assert len(stack.tracker(session["session_id"])["events"]) == before
    assert all(name != "bot_uttered" for name, _ in patient.quiet(1))


def test_a_message_before_the_session_request_is_not_handled(browsers):
    browser = browsers()
    browser.sio.emit("user_uttered", {"message": "hello"})
    assert browser.quiet(2) == []


def test_an_emergency_is_marked_for_the_widget(browsers):
    browser = browsers()
    browser.session()
    message = "I think I'm having a stroke, my face is drooping"
    (answer, *_) = browser.say(message)
    assert answer["emergency"] is True and answer["text"] == answer_to(assess(message))


def test_a_flood_from_one_session_is_stopped_and_others_are_not(browsers):
    flooding, other = browsers(), browsers()
    flooding.session()
    other.session()
    said = [m["text"] for _ in range(14) for m in flooding.say("hi")]
    assert said.count(SLOW_DOWN) == 1
    assert other.say("hello") and SLOW_DOWN not in [m["text"] for m in other.say("hi")]
