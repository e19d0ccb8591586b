"""A sender's messages answered in the order sent, across processes: a later message waits for an
earlier one another process left or is answering; an emergency does not wait."""

import secrets
import time
from urllib.parse import urlencode

from bot.emergency import answer_to
from channels.sms.claims import LEASE
from harness.clients import EMERGENCY, abandon, words
from harness.twilio_standin import inbound
from safety import assess


def stored(stack, sender: str, count: int) -> list[dict]:
    """The conversation's user events, once it holds `count` of them (a reply is sent before
    its turn is stored)."""
    deadline = time.monotonic() + 30
    while len(user := [e for e in stack.tracker(sender)["events"] if e["event"] == "user"]) < count:
        assert time.monotonic() < deadline, user
        time.sleep(0.1)
    return user


def test_a_later_message_waits_for_an_earlier_one_a_stopped_process_left(stack, stack_vault, phone):
    first = "SM" + secrets.token_hex(16)
    sender = abandon(stack_vault, phone, "what's your phone number?", first)
    replies = phone.text("what are your opening hours?")
    user = stored(stack, sender, 2)
    assert [e["message_id"] for e in user][0] == first and len(user) == 2  # in the order sent, each once
    assert "469-421-2618" in replies[0]


def test_a_later_message_waits_while_another_process_answers_an_earlier_one(stack, stack_vault, phone):
    first = "SM" + secrets.token_hex(16)
    sender = stack_vault.sms.sender_for(phone.number)
    raw = urlencode(inbound(phone.number, "what's your phone number?", sid=first))
    assert stack_vault.sms_inbox.receive(first, sender, raw, owner="living", lease=LEASE)
    assert phone.post("what are your opening hours?").status_code == 200
    assert phone.twilio.quiet(phone.number, 2) == []  # waiting for the other process
    guidance = " ".join(words([answer_to(assess(EMERGENCY))]))
    assert guidance in " ".join(words(phone.text(EMERGENCY)))  # an emergency does not wait
    stack_vault.sms_inbox.handled(first)  # the other process answered it
    assert [e["text"] for e in stored(stack, sender, 2)] == [EMERGENCY, "what are your opening hours?"]
