"""Who may call the SMS webhook, and what Twilio is answered: signed requests only, each message
once, whatever its encoding, and an apology while the database fails."""

import secrets
from urllib.parse import urlencode

import requests
from sqlalchemy import text
from twilio.request_validator import RequestValidator

from harness.clients import SMS_PUBLIC_URL
from harness.twilio_standin import inbound, post_signed


def nothing_reached_the_bot(phone, vault):
    return phone.twilio.quiet(phone.number) == [] and vault.conversations.subject_of(phone.sender(vault)) is None


def test_an_unsigned_or_forged_request_is_refused_and_never_reaches_the_bot(phone, stack_vault):
    assert phone.post("hello", signature="").status_code == 403
    assert phone.post("hello", signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    signed_by_someone_else = RequestValidator("not-our-token").compute_signature(
        SMS_PUBLIC_URL, dict(inbound(phone.number, "hello"))
    )
    assert phone.post("hello", signature=signed_by_someone_else).status_code == 403
    assert nothing_reached_the_bot(phone, stack_vault)


def test_the_signature_covers_the_public_url_and_every_field_blank_ones_included(phone, stack_vault, twilio):
    fields = inbound(phone.number, "hello")
    for_the_internal_url = RequestValidator(twilio.auth_token).compute_signature(phone.webhook, dict(fields))
    assert (
        post_signed(phone.webhook, SMS_PUBLIC_URL, twilio.auth_token, fields, for_the_internal_url).status_code == 403
    )
    without_blank = [f for f in fields if f != ("FromCity", "")]
    signed_without_blank = RequestValidator(twilio.auth_token).compute_signature(SMS_PUBLIC_URL, dict(without_blank))
    assert (
        post_signed(phone.webhook, SMS_PUBLIC_URL, twilio.auth_token, fields, signed_without_blank).status_code == 403
    )
    assert nothing_reached_the_bot(phone, stack_vault)
    assert phone.text("hello")  # the same fields, signed as Twilio signs them


def test_a_retried_message_is_answered_once(phone):
    message_sid = "SM" + secrets.token_hex(16)
    replies = phone.text("hello", sid=message_sid)
    again = phone.post("hello", sid=message_sid)
    assert again.status_code == 200
    assert phone.twilio.quiet(phone.number) == replies


def test_a_message_that_is_not_utf8_is_still_answered(phone, twilio):
    fields = inbound(phone.number, "hello caf\ufffd")  # U+FFFD: how the channel reads the byte 0xFF
    signature = RequestValidator(twilio.auth_token).compute_signature(SMS_PUBLIC_URL, dict(fields))
    raw = urlencode(fields).replace("%EF%BF%BD", "%FF")
    answer = requests.post(
        phone.webhook,
        data=raw,
        timeout=30,
        headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 200
    assert twilio.wait_for(phone.number, 1)


def test_while_the_database_fails_twilio_is_given_an_apology_to_deliver(phone, stack_vault):
    with stack_vault.data.begin() as db:
        db.execute(text("ALTER TABLE sms_received RENAME TO sms_received_away"))
    try:
        answer = phone.post("hello")
        assert answer.status_code == 200 and "<Message>" in answer.text and "call 911" in answer.text
    finally:
        with stack_vault.data.begin() as db:
            db.execute(text("ALTER TABLE sms_received_away RENAME TO sms_received"))
    assert phone.text("hello")  # the patient's next try is answered
