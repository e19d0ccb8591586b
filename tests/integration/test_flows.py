"""The assistant's conversations end to end: REST channel, rasa server, action server and vault,
with the database checked after each flow."""

import json
import random
import re
import string
from datetime import date, datetime, timedelta

import pytest
import requests
from fhir.resources.bundle import Bundle

from bot.scheduling.when import CLINIC_TZ
from harness.clients import Chat
from harness.registration import last_code, new_patient, open_day, spoken, verify
from privacy.clock import utc_now


@pytest.fixture(scope="module")
def vault(stack):
    opened = stack.vault()
    yield opened
    opened.close()


@pytest.fixture
def chat(stack):
    return Chat(stack)


# -- identity ------------------------------------------------------------------------------


def test_a_wrong_code_is_refused_and_nothing_personal_is_shown(chat, vault):
    name, born, _, subject = new_patient(vault)
    assert "full name" in chat("when is my next appointment?")
    chat(name)
    chat(born.strftime("%m/%d/%Y"))
    right = last_code(vault, subject)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    assert "not right; 4 attempts left" in chat(wrong)
    reply = chat(right)
    assert "verified" in reply and "no upcoming appointments" in reply


def test_unknown_details_get_the_same_answer_as_known_ones(chat):
    chat("show me my appointments")
    chat("Nobody Inparticular")
    assert "If those details match our records, I've just sent a 6-digit code" in chat("01/02/1990")
    assert "not right" in chat("123456")


def test_a_new_patient_registers_with_a_verified_phone_and_consent_recorded(chat, vault):
    phone = f"+1682555{random.randint(1000, 1999)}"
    assert "register" in chat("I'm a new patient").lower()
    assert "date of birth" in chat("Ada " + "".join(random.choices(string.ascii_lowercase, k=8)).capitalize())
    assert "mobile phone number" in chat("07/04/1985")
    assert "e-mail" in chat(phone[2:])
    assert "text you" in chat("ada@example.org")
    assert "6-digit code" in chat("yes")
    subject = vault.patients.find_subject(phone=phone)
    assert subject and vault.consent.allows(subject, "sms")
    assert "verified" in chat(last_code(vault, subject))


def test_a_minor_cannot_register_alone(chat):
    chat("I'd like to register as a new patient")
    chat("Kid Youngster")
    assert "parent or guardian" in chat(f"01/01/{date.today().year - 12}")


# -- scheduling ----------------------------------------------------------------------------


def test_booking_with_confirmation_and_an_sms_without_health_details(chat, vault):
    name, born, phone, subject = new_patient(vault)
    chat("could you please create meeting with Dr. Patel next week")
    assert "What kind of visit" in verify(chat, vault, name, born, subject)
    assert "times I can offer" in chat("video")  # Dr. Patel and next week were in the request
    assert chat.buttons() and all("Dr. Maya Patel" in b["title"] for b in chat.buttons())
    day = open_day(vault)
    reply = chat(f"{spoken(day)} at 2pm")
    assert f"{day:%A, %B} {day.day} at 2:00 pm with Dr. Maya Patel" in reply and "Shall I book" in reply
    reply = chat("yes")
    assert "You're booked" in reply and "text" in reply
    booked = vault.appointments.upcoming(subject)
    assert [(a.provider_id, a.starts_at.astimezone(CLINIC_TZ).hour, a.visit_type) for a in booked] == [
        ("patel", 14, "video")
    ]
    sms = vault.outbox.messages(subject)[0]
    assert sms.purpose == "confirmation" and sms.recipient == phone
    assert "Dr. Maya Patel" in sms.body and "2:00 pm" in sms.body
    assert not any(word in sms.body.lower() for word in ("symptom", "intake", "diagnos", "reason", "cough"))
    assert "health questions" in reply  # the intake is offered
    assert "anything else" in chat("not now")


def test_a_past_date_a_closed_day_and_a_taken_slot_get_alternatives(chat, vault):
    name, born, _, subject = new_patient(vault)
    other = new_patient(vault)[3]
    day = open_day(vault, days_ahead=6)
    taken = datetime.combine(day, datetime.min.time(), CLINIC_TZ).replace(hour=9)
    vault.appointments.book(other, "ramirez", taken, "in_person", actor="staff:test")
    chat("I need to see a doctor")
    verify(chat, vault, name, born, subject)
    chat("in person")
    chat("Dr. Sofia Ramirez")
    reply = chat("yesterday at 10")
    assert "already passed" in reply and chat.buttons()
    saturday = open_day(vault) + timedelta(days=(5 - open_day(vault).weekday()) % 7)
    assert "closed" in chat(f"{spoken(saturday)}")
    reply = chat(f"{spoken(day)} at 9am")
    assert "not available" in reply
    labels = [b["title"] for b in chat.buttons()]
    assert labels and not any(", 9:00 am, Dr. Sofia Ramirez" in label and f" {day.day}," in label for label in labels)
    assert "Shall I book" in chat("2")
    assert "You're booked" in chat("yes")
    assert len(vault.appointments.upcoming(subject)) == 1


def test_changing_ones_mind_before_booking_books_nothing(chat, vault):
    name, born, _, subject = new_patient(vault)
    chat("book an appointment")
    verify(chat, vault, name, born, subject)
    chat("phone")
    chat("anyone")
    assert "Shall I book" in chat(f"{spoken(open_day(vault, 8))} at 3pm")
    assert "haven't booked anything" in chat("no")
    assert "stopped" in chat("stop")
    assert vault.appointments.upcoming(subject) == []


def test_reschedule_cancel_and_list(chat, vault):
    name, born, _, subject = new_patient(vault)
    first = open_day(vault, 9)
    start = datetime.combine(first, datetime.min.time(), CLINIC_TZ).replace(hour=11)
    appointment = vault.appointments.book(subject, "kim", start, "video", actor="staff:test")
    chat("when is my appointment?")
    reply = verify(chat, vault, name, born, subject)
    assert f"{first:%A, %B} {first.day} at 11:00 am with Grace Kim, NP" in reply
    chat("can I change my appointment time?")
    later = open_day(vault, 11)
    assert "move your appointment" in chat(f"{spoken(later)} at 4pm")
    assert "now" in chat("yes")
    moved = vault.appointments.upcoming(subject)
    assert [
        (a.id, a.starts_at.astimezone(CLINIC_TZ).date(), a.starts_at.astimezone(CLINIC_TZ).hour) for a in moved
    ] == [(appointment.id, later, 16)]
    assert "Shall I cancel" in chat("cancel my visit")
    assert "cancelled" in chat("yes")
    assert vault.appointments.upcoming(subject) == []


# -- intake and triage ----------------------------------------------------------------------


def test_intake_with_consent_stores_each_answer_encrypted_and_triages(chat, vault):
    name, born, _, subject = new_patient(vault)
    chat("list my appointments")
    verify(chat, vault, name, born, subject)
    reply = chat("I've had a cough for three days")
    assert "can't diagnose" in reply and "store your answers" in reply
    assert "from 0 (nothing) to 10" in chat("yes")  # reason, symptoms and since were in the message
    assert "number from 0 to 10" in chat("eleven")
    assert "Which medicines" in chat("3")
    assert "allergies" in chat("lisinopril")
    assert "conditions" in chat("skip")
    reply = chat("none")
    assert "Allergies: skipped" in reply and "Medicines: lisinopril" in reply
    assert "Which medicines" in chat("change medicines")
    chat("lisinopril and metformin")
    reply = chat("yes")
    assert "stored securely" in reply and "rest, fluids" in reply and "can't diagnose" in reply  # self-care
    values = [r.value for r in vault.records.list(subject, actor="staff:test", reason="test")]
    assert "Medicines: lisinopril and metformin" in values and not any("Allergies" in v for v in values)
    assert vault.consent.allows(subject, "care")


def test_intake_without_consent_goes_on_but_stores_nothing(chat, vault):
    name, born, _, subject = new_patient(vault)
    chat("my appointments please")
    verify(chat, vault, name, born, subject)
    chat("I have a sore throat")
    assert "won't store" in chat("no")
    for answer in ("since yesterday", "2", "none", "none", "none"):
        chat(answer)
    reply = chat("yes")
    assert "stored" not in reply and "can't diagnose" in reply
    assert vault.records.list(subject, actor="staff:test", reason="test") == []
    assert vault.consent.history(subject)[-1].granted is False  # the refusal is in the ledger


def test_an_unidentified_patient_is_not_asked_for_consent_and_nothing_is_stored(chat, vault):
    reply = chat("I have a sore throat")
    assert "won't store your answers" in reply and "yes or no" not in reply and "store your answers?" not in reply
    assert "Since when" in reply  # the reason and the symptom were in the message
    answers = ("since yesterday", "2", "none", "none", "none")
    for answer in answers:
        assert "went wrong" not in chat(answer)
    reply = chat("yes")
    assert "stored" not in reply and "can't diagnose" in reply
    assert vault.conversations.subject_of(chat.sender) and not vault.consent.history(
        vault.conversations.subject_of(chat.sender)
    )


def test_an_emergency_in_the_middle_of_the_intake_is_answered_at_once(chat):
    chat("I feel unwell")
    chat("tummy ache")
    reply = chat("now I have crushing chest pain")
    assert "Call 911 now" in reply
    assert "Goodbye" in chat("bye")  # the form is over


# -- support ---------------------------------------------------------------------------------


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


# -- data rights -----------------------------------------------------------------------------


def test_access_and_export_are_delivered_as_expiring_links(chat, vault):
    name, born, _, subject = new_patient(vault)
    chat("what information do you have about me?")
    reply = verify(chat, vault, name, born, subject)
    link = re.search(r"(http://\S+/webhooks/downloads/\S+)", reply).group(1)
    copy = requests.get(link, timeout=30)
    assert copy.status_code == 200 and "attachment" in copy.headers["Content-Disposition"]
    assert json.loads(copy.text)["records"]["patient"]["name"] == name
    reply = chat("send me my records as a file")
    bundle = requests.get(re.search(r"(http://\S+/webhooks/downloads/\S+)", reply).group(1), timeout=30)
    assert Bundle.parse_raw(bundle.text).entry[0].resource.resource_type == "Patient"
    assert requests.get(link.rsplit("/", 1)[0] + "/not-a-token", timeout=30).status_code == 404
    assert [r.kind for r in vault.rights.list(open_only=False, subject_id=subject)] == ["access", "portability"]


def test_deletion_explains_the_legal_hold_and_gives_a_reference_and_due_date(chat, vault):
    name, born, _, subject = new_patient(vault)
    vault.records.put(subject, "symptom", "a cough", actor="patient", reason="intake")
    chat("delete my data")
    reply = verify(chat, vault, name, born, subject)
    until = (utc_now() + timedelta(days=7 * 365 + 2)).year
    assert "must be kept until" in reply and str(until) in reply and "7 years" in reply
    reply = chat("yes")
    reference = re.search(r"(R-[0-9A-F]{8})", reply).group(1)
    request = vault.rights.get(reference)
    assert request.kind == "deletion" and request.status == "identity_verified"
    assert f"{request.due_at:%B} {request.due_at.day}" in reply
    assert reference in chat("what's the status of my request?")


def test_correction_objection_opt_out_and_withdrawal(chat, vault):
    name, born, _, subject = new_patient(vault)
    vault.consent.grant(subject, "research", channel="staff", wording="Use my data for research.")
    vault.consent.grant(subject, "marketing", channel="staff", wording="Send me offers.")
    chat("my address is wrong")
    verify(chat, vault, name, born, subject)
    reply = chat("12 Main St, Frisco, TX 75034")
    assert "correction request" in reply
    correction = vault.rights.list(subject_id=subject)[0]
    assert correction.kind == "correction" and correction.details == {
        "field": "address",
        "value": "12 Main St, Frisco, TX 75034",
    }
    assert "stopped using your data for research" in chat("don't use my data for research")
    assert not vault.consent.allows(subject, "research")
    assert "won't get promotional messages" in chat("stop sending me offers")
    assert not vault.consent.allows(subject, "marketing")
    chat("I withdraw my consent")
    assert "withdrawn your consent to sms" in chat("text messages")
    assert not vault.consent.allows(subject, "sms")


def test_opting_out_needs_only_a_contact_and_reveals_nothing(chat, vault):
    _, _, phone, subject = new_patient(vault)
    vault.consent.grant(subject, "marketing", channel="staff", wording="Send me offers.")
    assert "e-mail address or phone number" in chat("unsubscribe me from promotions")
    assert "promotions to that address or number stop now" in chat(phone)
    assert not vault.consent.allows(subject, "marketing")
    other = Chat(chat.stack)
    other("stop sending me offers")
    assert "promotions to that address or number stop now" in other("nobody@nowhere.example")


def test_nothing_a_patient_said_is_stored_or_logged_in_plaintext(stack, vault, chat):
    name, born, phone, subject = new_patient(vault)
    chat("when is my appointment?")
    verify(chat, vault, name, born, subject)
    chat("I have purple tingling in my left earlobe")
    from harness.databases import stored_bytes

    stored, logs = stored_bytes(stack), stack.logs()
    for secret in (name, name.split()[1], phone[2:], phone, born.strftime("%m/%d/%Y"), "earlobe"):
        assert secret.encode() not in stored, secret
        assert secret not in logs, secret
