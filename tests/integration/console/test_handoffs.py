"""Handoffs in the staff console, against the running servers: a conversation handed to staff from
the widget or by SMS is claimed, read with a reason, answered, and given back or closed; an agent
sees the queue and what they claimed, no patient who asked for deletion, and an emergency while
waiting on top with an alert."""

import re
import secrets

from channels.console import rasa_api
from harness.clients import Browser, Chat, Phone
from harness.registration import new_patient
from harness.staff import Console, add_staff


def ticket_of(agent, summary_words: str) -> str:
    rows = agent.get("/queue.json").json()
    return next(row["id"] for row in rows if summary_words in row["summary"])


def test_a_widget_handoff_answered_by_an_agent_and_given_back(stack, agent, vault):
    patient = Browser(stack)
    try:
        patient.session()
        patient.say("my number is 469-555-0199, can someone call me about my bill")
        assert patient.say("I want to talk to a person")
        ticket = ticket_of(agent, "Last message: I want to talk to a person")
        assert agent.post(f"/tickets/{ticket}/claim").headers["Location"] == f"/tickets/{ticket}"
        agent.get(f"/tickets/{ticket}")
        assert "Why are you opening it?" in agent.page  # no transcript without a reason
        agent.get(f"/tickets/{ticket}", reason="answering the patient")
        assert "•••• 0199" in agent.page and "469-555-0199" not in agent.page
        agent.post(f"/tickets/{ticket}/reveal", reason="answering the patient", message="0")
        assert "469-555-0199" in agent.page
        audit = [e for e in vault.audit.entries(limit=20) if e["actor"] == f"staff:{agent.name}"]
        assert {"transcript.view", "transcript.reveal"} <= {e["action"] for e in audit}
        agent.post(f"/tickets/{ticket}/reply", text="Hi, this is Grace from billing. I'll call you in 10 minutes.")
        reply = patient.next("bot_uttered")
        assert reply["text"] == "Hi, this is Grace from billing. I'll call you in 10 minutes."
        agent.get(f"/tickets/{ticket}", reason="answering the patient")
        assert "Grace from billing" in agent.page
        assert agent.post(f"/tickets/{ticket}/resumed").headers["Location"] == "/queue"
        assert patient.next("bot_uttered")["text"] == rasa_api.RESUMED
        assert ticket not in [row["id"] for row in agent.get("/queue.json").json()]
        assert patient.say("what's your phone number?")[0]["text"].count("469-421-2618")
    finally:
        patient.close()


def test_an_sms_handoff_is_answered_by_text(stack, twilio, agent):
    phone = Phone(stack, twilio)
    phone.text("I need to speak to a human please")
    ticket = ticket_of(agent, "Last message: I need to speak to a human please")
    agent.post(f"/tickets/{ticket}/claim")
    agent.get(f"/tickets/{ticket}", reason="answering the patient")
    before = len(twilio.to(phone.number))
    agent.post(f"/tickets/{ticket}/reply", text="Hello from the front desk, how can we help?")
    assert twilio.wait_for(phone.number, before + 1)[-1] == "Hello from the front desk, how can we help?"
    agent.post(f"/tickets/{ticket}/closed")
    assert twilio.wait_for(phone.number, before + 2)[-1].startswith("Our team has closed")


def test_an_agent_sees_only_the_queue_and_what_they_claimed(stack, agent):
    other_name, _ = add_staff(stack, "agent")
    other = Console(stack)
    other.log_in(other_name)
    patient = Browser(stack)
    try:
        patient.session()
        patient.say("can I talk to someone from your staff")
        ticket = ticket_of(agent, "Last message: can I talk to someone from your staff")
        agent.post(f"/tickets/{ticket}/claim")
        assert ticket not in [row["id"] for row in other.get("/queue.json").json()]
        assert other.get(f"/tickets/{ticket}", reason="answering the patient").status_code == 404
        other.get("/queue")
        assert other.post(f"/tickets/{ticket}/claim").status_code == 409
    finally:
        patient.close()


def test_a_patient_who_asked_for_deletion_disappears_from_the_console(stack, agent, vault):
    patient = Browser(stack)
    try:
        session = patient.session()
        patient.say("please get me a real person")
        ticket = ticket_of(agent, "Last message: please get me a real person")
        subject = vault.conversations.subject_of(session["session_id"])
        vault.subjects.erase(subject, actor="privacy_officer:test", reason="deletion request")
        assert ticket not in [row["id"] for row in agent.get("/queue.json").json()]
        assert agent.get(f"/tickets/{ticket}", reason="answering the patient").status_code == 404
    finally:
        patient.close()


def test_a_patient_with_a_deletion_request_waiting_is_not_shown_either(agent, vault):
    _, _, _, subject = new_patient(vault)
    ticket = vault.tickets.open(
        "handoff",
        subject,
        "Asked for a person in the web chat.",
        channel="web",
        conversation_id=vault.conversations.id_for(f"web_{secrets.token_hex(8)}"),
    )
    assert ticket.id in [row["id"] for row in agent.get("/queue.json").json()]
    vault.rights.open(subject, "deletion", channel="web")
    assert ticket.id not in [row["id"] for row in agent.get("/queue.json").json()]
    assert agent.get(f"/tickets/{ticket.id}", reason="answering the patient").status_code == 404


def test_an_emergency_while_waiting_raises_the_ticket_above_the_others_with_an_alert(stack, agent):
    calm, urgent = Chat(stack), Chat(stack)
    calm("I want to talk to a person about my bill")
    urgent("let me talk to someone please")
    urgent("my wife just collapsed and she isn't breathing")
    rows = agent.get("/queue.json").json()
    ids = [row["id"] for row in rows]
    ticket = next(row for row in rows if "Last message: let me talk to someone please" in row["summary"])
    waiting = next(row for row in rows if "Last message: I want to talk to a person about my bill" in row["summary"])
    assert ticket["emergency"] and not waiting["emergency"]
    assert ids.index(ticket["id"]) < ids.index(waiting["id"])
    assert all(row["emergency"] for row in rows[: ids.index(ticket["id"]) + 1])
    agent.get("/queue")
    alert = re.search(r'<div id="emergency-alert"[^>]*>', agent.page).group(0)
    assert 'role="alert"' in alert and "hidden" not in alert
