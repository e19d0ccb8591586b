"""What the vault keeps of the channels' messages, on SQLite and PostgreSQL: a conversation stored
event by event and erased with its patient, and a sender's earlier SMS waited for while its process
lives and taken over once it died."""

from datetime import timedelta

from sqlalchemy import update

from harness.canary import register
from privacy.store.schema import sms_received


def test_a_conversation_is_stored_event_by_event_and_erased_with_its_patient(vault):
    events = [
        {"event": "action", "name": "action_session_start", "timestamp": 1.0},
        {"event": "session_started", "timestamp": 1.1},
        {"event": "user", "text": "hello", "timestamp": 2.0},
    ]
    assert vault.conversations.save("web-1", events) == 3
    # Later calls pass the session's events (from session_started on), as loaded plus what is new.
    assert vault.conversations.save("web-1", events[1:]) == 0
    later = events[1:] + [{"event": "bot", "text": "hi", "timestamp": 3.0}]
    assert vault.conversations.save("web-1", later) == 1
    assert vault.conversations.load("web-1") == later
    assert len(vault.conversations.load("web-1", all_sessions=True)) == 4
    assert vault.conversations.senders() == ["web-1"]
    patient = register(vault)
    vault.conversations.link_patient("web-1", patient.subject_id)
    vault.subjects.erase(patient.subject_id, actor="privacy_officer:test", reason="deletion request")
    assert vault.conversations.load("web-1") is None
    assert vault.conversations.senders() == []


def test_a_senders_earlier_sms_is_waited_for_while_its_process_lives_and_taken_over_once_it_died(vault):
    lease = timedelta(seconds=20)
    vault.sms_inbox.receive("SM1", "sms_a", "Body=first", owner="p1", lease=lease)
    vault.sms_inbox.receive("SM2", "sms_a", "Body=second", owner="p2", lease=lease)
    vault.sms_inbox.receive("SM3", "sms_b", "Body=other sender", owner="p2", lease=lease)
    assert vault.sms_inbox.earlier("SM1", "sms_a", "p1", lease) == []
    assert vault.sms_inbox.earlier("SM2", "sms_a", "p2", lease) is None  # p1 is alive and answering SM1
    assert vault.sms_inbox.earlier("SM3", "sms_b", "p2", lease) == []
    with vault.data.begin() as db:  # p1 died: its lease ran out
        db.execute(
            update(sms_received)
            .where(sms_received.c.message_sid == "SM1")
            .values(claimed_until=vault.now() - timedelta(seconds=1))
        )
    assert vault.sms_inbox.earlier("SM2", "sms_a", "p2", lease) == [("SM1", "Body=first", True)]
    assert vault.sms_inbox.take_over("p3", lease) == []  # p2 holds it now
    assert vault.sms_inbox.earlier("SM2", "sms_a", "p2", lease) == [("SM1", "Body=first", False)]
    vault.sms_inbox.handled("SM1")
    assert vault.sms_inbox.earlier("SM2", "sms_a", "p2", lease) == []
