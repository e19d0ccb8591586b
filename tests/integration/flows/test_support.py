"""Support end to end: medication questions and refills, billing with a card number, and a handoff
that pauses the bot while an emergency still gets its answer."""

from harness.registration import new_patient, verify


def test_medication_questions_get_no_dosing_advice_and_refills_go_to_the_care_team(chat, vault):
    reply = chat("how many ibuprofen can I take with my blood pressure pills?")
    assert "can't give advice about medicines or doses" in reply and "care team" in reply
    name, born, _, subject = new_patient(vault)
    chat("I need a refill of my prescription")
    reply = verify(chat, vault, name, born, subject)
    assert "refill request" in reply
    assert [t.kind for t in vault.tickets.of_subject(subject)] == ["refill"]


def test_billing_answers_general_questions_and_refuses_card_numbers(chat, stack):
    assert "Aetna" in chat("do you take aetna insurance?")
    assert "$150" in chat("how much does an office visit cost?")
    reply = chat("here is my card 4111 1111 1111 1111 to pay my bill")
    assert "didn't keep that message" in reply
    events = stack.tracker(chat.sender)["events"]
    assert not any("4111" in (e.get("text") or "") for e in events)


def test_handoff_pauses_the_bot_and_an_emergency_still_gets_an_answer(chat, vault):
    reply = chat("let me talk to someone")
    assert "member of our team" in reply and "T-" in reply
    ticket = vault.tickets.open_handoff(vault.conversations.id_for(chat.sender))
    assert ticket and "Asked for a person" in ticket.summary
    assert chat("hello?") == ""  # paused: the bot says nothing, staff will
    reply = chat("my husband just collapsed")
    assert "Call 911 now" in reply
    assert vault.tickets.get(ticket.id).emergency
