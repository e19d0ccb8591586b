"""The widget's Socket.IO channel against the running rasa server: origins, sessions bound to
their token, history after a reconnect, rate limits and emergencies."""

import pytest
import socketio

from bot.emergency import answer_to
from channels.rate_limit import SLOW_DOWN
from harness.clients import Browser
from safety import assess


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
    assert resumed["resumed"] and resumed["session_id"] == session["session_id"]
    assert resumed["token"].split(".")[0] == session["token"].split(".")[0]  # the same session, renewed
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
