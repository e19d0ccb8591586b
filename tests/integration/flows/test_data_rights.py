"""The data rights asked for in the conversation, end to end: access and export as expiring links,
deletion with its legal hold, correction, objection, opt-out and withdrawal; and nothing a patient
said stored or logged in plaintext."""

import json
import re
from datetime import timedelta

import requests
from fhir.resources.bundle import Bundle

from harness.clients import Chat
from harness.registration import download, new_patient, verify
from privacy.clock import utc_now


def test_access_and_export_are_delivered_as_expiring_links(chat, vault):
    name, born, _, subject = new_patient(vault)
    chat("what information do you have about me?")
    reply = verify(chat, vault, name, born, subject)
    link = re.search(r"(http://\S+/webhooks/downloads/\S+)", reply).group(1)
    copy = download(link, vault, subject)
    assert copy.status_code == 200 and "attachment" in copy.headers["Content-Disposition"]
    assert json.loads(copy.text)["records"]["patient"]["name"] == name
    reply = chat("send me my records as a file")
    bundle = download(re.search(r"(http://\S+/webhooks/downloads/\S+)", reply).group(1), vault, subject)
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
