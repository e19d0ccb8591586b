"""Messages a stopped process left: answered by a living one, and never twice."""

import secrets

from sqlalchemy import text

from harness.clients import abandon


def test_a_message_left_unanswered_by_a_stopped_process_is_answered_by_a_live_one(stack, stack_vault, phone):
    sid = "SM" + secrets.token_hex(16)
    sender = abandon(stack_vault, phone, "what's your phone number?", sid)
    phone.twilio.wait_for(phone.number, 1, timeout=30)
    replies = phone.twilio.quiet(phone.number)
    assert "469-421-2618" in " ".join(replies)
    assert [e["message_id"] for e in stack.tracker(sender)["events"] if e["event"] == "user"] == [sid]
    assert phone.post("what's your phone number?", sid=sid).status_code == 200  # Twilio retries it: ignored
    assert phone.twilio.quiet(phone.number, 3) == replies
    with stack_vault.data.connect() as db:
        kept = db.execute(
            text("SELECT request, handled_at FROM sms_received WHERE message_sid = :sid"), {"sid": sid}
        ).one()
    assert kept.request is None and kept.handled_at is not None  # answered: the request is not kept


def test_a_message_answered_just_before_its_process_stopped_is_not_answered_twice(stack, stack_vault, phone):
    answered = phone.text("what's your phone number?")
    (sid,) = [e["message_id"] for e in stack.tracker(phone.sender(stack_vault))["events"] if e["event"] == "user"]
    with stack_vault.data.begin() as db:  # the process died between the answer and marking it handled
        db.execute(text("DELETE FROM sms_received WHERE message_sid = :sid"), {"sid": sid})
        seen = stack_vault.indexer.digest("sms_message_sid", sid)  # and before it was ever received
        db.execute(text("DELETE FROM sms_seen WHERE message_sid_hash = :seen"), {"seen": seen})
    abandon(stack_vault, phone, "what's your phone number?", sid)
    assert phone.twilio.quiet(phone.number, 12) == answered
    assert len([e for e in stack.tracker(phone.sender(stack_vault))["events"] if e["event"] == "user"]) == 1
    with stack_vault.data.connect() as db:
        assert (
            db.execute(text("SELECT handled_at FROM sms_received WHERE message_sid = :sid"), {"sid": sid}).scalar()
            is not None
        )
