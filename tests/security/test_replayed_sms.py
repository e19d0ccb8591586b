"""Security item 13: a captured signed SMS request replayed after retention deleted its
MessageSid row is still refused (docs/security.md)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import func, select

from harness.clients import Phone
from privacy.store.schema import sms_received, sms_seen


def test_a_replayed_request_is_refused_after_retention_deleted_its_row(stack, twilio):
    vault, phone, sid = stack.vault(), Phone(stack, twilio), "SM" + secrets.token_hex(16)
    replies = phone.text("what's your phone number?", sid=sid)
    assert "469-421-2618" in " ".join(replies)
    assert vault.sms_inbox.forget_before(vault.now() + timedelta(seconds=1)) >= 1  # what the sweep does 2 days on
    with vault.data.connect() as db:
        assert (
            db.execute(select(func.count()).select_from(sms_received).where(sms_received.c.message_sid == sid)).scalar()
            == 0
        )
        hashes = db.execute(select(sms_seen.c.message_sid_hash)).scalars().all()
    assert sid not in " ".join(hashes)  # kept as a keyed hash only
    assert phone.post("what's your phone number?", sid=sid).status_code == 200  # the replay
    assert phone.twilio.quiet(phone.number, 5) == replies  # not answered again
    user_turns = [e for e in stack.tracker(phone.sender(vault))["events"] if e["event"] == "user"]
    assert [e["message_id"] for e in user_turns] == [sid]


def test_rows_received_before_the_hashes_existed_keep_theirs_when_deleted(vault):
    sid, lease = "SM" + secrets.token_hex(16), timedelta(seconds=30)
    assert vault.sms_inbox.receive(sid, "sms_test", "Body=hi", owner="p1", lease=lease)
    with vault.data.begin() as db:
        db.execute(sms_seen.delete())  # as before the table existed
    vault.sms_inbox.handled(sid)
    assert vault.sms_inbox.forget_before(vault.now() + timedelta(seconds=1)) >= 1
    assert not vault.sms_inbox.receive(sid, "sms_test", "Body=hi", owner="p2", lease=lease)
