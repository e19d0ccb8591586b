"""The SMS channel end to end: signed Twilio webhooks into the running rasa server, replies through
the real twilio client to a local stand-in of Twilio's REST API."""

import asyncio
import math
import secrets
import time
from urllib.parse import urlencode

import pytest
import requests
from sqlalchemy import text
from twilio.request_validator import RequestValidator

from bot.emergency import answer_to
from channels.guard import CARD_REFUSED
from channels.inbound import EMPTY, TOO_LONG
from channels.rate_limit import SLOW_DOWN
from channels.sms import answer, claims, keywords
from channels.sms import text as sms_text
from channels.sms.delivery import OutboxDelivery, configured
from harness.clients import SMS_PUBLIC_URL, Chat, Phone, words
from harness.databases import stored_bytes
from harness.registration import last_code, new_patient
from harness.twilio_standin import inbound, post_signed
from privacy import shared_vault
from safety import assess


@pytest.fixture(scope="module")
def vault(stack):
    opened = stack.vault()
    yield opened
    opened.close()


@pytest.fixture
def phone(stack, twilio):
    return Phone(stack, twilio)


EMERGENCY = "I have crushing chest pain and can't breathe"


def nothing_reached_the_bot(phone, vault):
    return phone.twilio.quiet(phone.number) == [] and vault.conversations.subject_of(phone.sender(vault)) is None


# -- who may call the webhook ---------------------------------------------------------------


def test_an_unsigned_or_forged_request_is_refused_and_never_reaches_the_bot(phone, vault):
    assert phone.post("hello", signature="").status_code == 403
    assert phone.post("hello", signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    signed_by_someone_else = RequestValidator("not-our-token").compute_signature(
        SMS_PUBLIC_URL, dict(inbound(phone.number, "hello"))
    )
    assert phone.post("hello", signature=signed_by_someone_else).status_code == 403
    assert nothing_reached_the_bot(phone, vault)


def test_the_signature_covers_the_public_url_and_every_field_blank_ones_included(phone, vault, twilio):
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
    assert nothing_reached_the_bot(phone, vault)
    assert phone.text("hello")  # the same fields, signed as Twilio signs them


def test_a_retried_message_is_answered_once(phone):
    message_sid = "SM" + secrets.token_hex(16)
    replies = phone.text("hello", sid=message_sid)
    again = phone.post("hello", sid=message_sid)
    assert again.status_code == 200
    assert phone.twilio.quiet(phone.number) == replies


# -- what comes in --------------------------------------------------------------------------


def test_a_picture_an_empty_and_an_oversized_message_get_a_polite_answer(phone):
    assert phone.text("", NumMedia="1", MediaUrl0="https://api.twilio.com/media/x", MediaContentType0="image/jpeg") == [
        answer.PICTURE_ONLY
    ]
    assert phone.text("") == sms_text.segments(EMPTY)
    assert phone.text("a" * 1601) == sms_text.segments(TOO_LONG)
    replies = phone.text("hello", NumMedia="1", MediaUrl0="https://api.twilio.com/media/y")
    assert replies[0] == answer.PICTURE_IGNORED and len(replies) > 1  # the words are still answered


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


def test_while_the_database_fails_twilio_is_given_an_apology_to_deliver(phone, vault):
    with vault.data.begin() as db:
        db.execute(text("ALTER TABLE sms_received RENAME TO sms_received_away"))
    try:
        answer = phone.post("hello")
        assert answer.status_code == 200 and "<Message>" in answer.text and "call 911" in answer.text
    finally:
        with vault.data.begin() as db:
            db.execute(text("ALTER TABLE sms_received_away RENAME TO sms_received"))
    assert phone.text("hello")  # the patient's next try is answered


def test_a_card_number_is_refused(phone):
    assert phone.text("my card is 4111 1111 1111 1111 exp 12/29") == sms_text.segments(CARD_REFUSED)


# -- STOP, START, HELP ----------------------------------------------------------------------


def test_after_stop_nothing_is_sent_but_emergency_guidance(phone, vault):
    assert phone.text("STOP") == [keywords.STOPPED]
    subject = vault.conversations.subject_of(phone.sender(vault))
    entry = vault.consent.history(subject)[-1]
    assert (entry.purpose, entry.granted, entry.channel, entry.wording) == ("sms", False, "sms", keywords.STOPPED)
    before = len(phone.twilio.to(phone.number))
    assert phone.post("hello").status_code == 200
    assert phone.post("I want to book an appointment").status_code == 200
    assert phone.twilio.quiet(phone.number, 3)[before:] == []
    assert words(phone.text(EMERGENCY)) == words([answer_to(assess(EMERGENCY))])
    assert phone.text("START") == [keywords.STARTED]
    assert vault.consent.latest(subject, "sms") is True
    assert phone.text("hello")


def test_stop_also_withdraws_the_patients_sms_consent(stack, twilio, vault):
    name, born, number, subject = new_patient(vault)
    assert vault.consent.allows(subject, "sms")
    Phone(stack, twilio, number).text("stop")
    assert not vault.consent.allows(subject, "sms")


def test_help_answers_as_carriers_expect(phone):
    (reply,) = phone.text("HELP")
    assert reply == keywords.HELP and "STOP" in reply and "(469) 421-2618" in reply


def test_yes_is_an_answer_unless_the_number_opted_out(phone):
    assert phone.text("yes") != [keywords.STARTED]
    phone.text("unsubscribe")
    assert phone.text("Yes") == [keywords.STARTED]


# -- what goes out --------------------------------------------------------------------------


def test_a_patient_is_known_by_their_number_and_picks_a_button_by_its_number(stack, twilio, vault):
    name, born, number, subject = new_patient(vault)
    patient = Phone(stack, twilio, number)
    replies = " ".join(words(patient.text("I'd like to book an appointment")))
    assert "recognized you by the phone number" in replies
    assert "1. In person (Frisco office) 2. Video 3. Phone" in replies
    assert name not in replies
    patient.text("2")
    assert stack.tracker(patient.sender(vault))["slots"]["book_visit_type"] == "video"


def test_health_questions_move_to_the_web_chat(phone):
    replies = " ".join(phone.text("I have had a sore throat and a cough since Monday"))
    assert "secure web chat" in replies and "/webhooks/widget/" in replies
    assert "severity" not in replies.lower() and "sore throat" not in replies


def test_a_failed_send_is_retried_and_logged_without_the_text(phone, twilio, stack):
    twilio.failures.extend([500, 503])
    assert "$150" in " ".join(phone.text("What are your visit prices?"))
    failures = [line for line in stack.logs().splitlines() if "failed (attempt" in line]
    assert any("Twilio status 500" in line for line in failures)
    assert any("Twilio status 503" in line for line in failures)
    assert not any("$150" in line or phone.number[2:] in line for line in failures)


def test_a_flood_is_stopped_but_an_emergency_still_gets_through(phone, twilio):
    start = time.monotonic()
    for _ in range(25):
        assert phone.post("hi").status_code == 200
    replies = twilio.quiet(phone.number, 3)
    refilled = math.ceil((time.monotonic() - start - 3) / 3)  # the bucket gains one every 3 s (20 a minute)
    assert " ".join(replies).count(" ".join(SLOW_DOWN.split()[:8])) == 1
    assert len(replies) - 1 <= (10 + refilled) * 2  # a burst of ten answered, then the refill; a greeting is 1-2 texts
    overdose = "my friend took a whole bottle of pills"
    assert words(phone.text(overdose)) == words([answer_to(assess(overdose))])


def test_no_phone_number_or_message_is_stored_or_logged_in_plaintext(phone, stack, vault):
    phone.text("hello, my cat's name is Quetzalcoatl")
    tracker = stack.tracker(phone.sender(vault))
    assert tracker["sender_id"].startswith("sms_")
    stored, logs = stored_bytes(stack), stack.logs()
    for secret in (phone.number, phone.number[2:], phone.number[-7:], "Quetzalcoatl"):
        assert secret.encode() not in stored, secret
        assert secret not in logs, secret


# -- splitting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, limit",
    [
        (
            "Your appointment with Dr. Maya Patel is on Tuesday, December 1 at 9:00 AM at 6136 Frisco Square "
            "Blvd, Frisco, TX 75034. Reply 1 to confirm, 2 to reschedule, 3 to talk to a person. " * 3,
            160,
        ),
        ("Prices {in person} [$150] cost ~ €140 | video € 95 ^ phone " * 8, 160),
        ("Gracias por escribirnos 😊 su cita está confirmada para el martes " * 5, 70),
        ("Привет, ваша запись подтверждена на вторник в девять часов утра " * 4, 70),
    ],
)
def test_a_long_reply_is_split_into_single_segments_between_words(text, limit):
    parts = sms_text.segments(text)
    assert len(parts) > 1
    gsm7 = sms_text.is_gsm7(text)
    assert gsm7 == (limit == 160)
    for part in parts:
        units = (
            sum(2 if c in sms_text.GSM7_EXTENDED else 1 for c in part) if gsm7 else len(part.encode("utf-16-le")) // 2
        )
        assert units <= limit
        assert part == part.strip()
    assert " ".join(parts).split() == text.split()  # no word cut, nothing lost
    assert all(len(p) > 0.6 * limit for p in parts[:-1])  # parts are filled, not one word each


def test_a_word_longer_than_a_segment_is_the_only_thing_cut():
    link = "https://healthtigo.com/d/" + "x" * 200
    parts = sms_text.segments(f"Your copy: {link} expires in 7 days.")
    assert "".join(parts).replace(" ", "") == f"Your copy:{link}expires in 7 days.".replace(" ", "")
    assert all(len(p) <= 160 for p in parts)


# -- the outbox -----------------------------------------------------------------------------


def test_codes_queued_in_the_vault_go_out_by_sms_once(stack, twilio, vault):
    name, born, number, subject = new_patient(vault)
    chat = Chat(stack)
    chat("when is my appointment?")
    chat(name)
    assert "6-digit code" in chat(born.strftime("%m/%d/%Y"))
    (sent,) = twilio.wait_for(number, 1)
    assert last_code(vault, subject) in sent
    assert vault.outbox.messages(subject)[0].sent_at is not None
    assert twilio.quiet(number, 5) == [sent]


def test_without_twilio_replies_wait_in_the_local_outbox(stack, vault, monkeypatch):
    assert isinstance(configured(), OutboxDelivery)  # this process has no Twilio account
    for name in ("DATABASE_URL", "KEYSTORE_URL", "VAULT_KEYS", "VAULT_INDEX_KEY"):
        monkeypatch.setenv(name, stack.env[name])
    shared_vault.cache_clear()
    try:
        sender = vault.sms.sender_for("+19725550142")
        assert asyncio.run(OutboxDelivery().send(sender, "Your visit is on Monday at 9:00 am."))
    finally:
        shared_vault.cache_clear()
    message = vault.outbox.messages(vault.conversations.subject_of(sender))[0]
    assert (message.channel, message.purpose, message.recipient, message.body) == (
        "sms",
        "reply",
        "+19725550142",
        "Your visit is on Monday at 9:00 am.",
    )


def _abandon(vault, phone, body, sid):
    """A message a process accepted and then died before answering: kept, its claim run out."""
    raw = urlencode(inbound(phone.number, body, sid=sid))
    sender = vault.sms.sender_for(phone.number)
    assert vault.sms_inbox.receive(sid, sender, raw, owner="stopped", lease=claims.LEASE * 0)
    return sender


def test_a_message_left_unanswered_by_a_stopped_process_is_answered_by_a_live_one(stack, vault, phone):
    sid = "SM" + secrets.token_hex(16)
    sender = _abandon(vault, phone, "what's your phone number?", sid)
    phone.twilio.wait_for(phone.number, 1, timeout=30)
    replies = phone.twilio.quiet(phone.number)
    assert "469-421-2618" in " ".join(replies)
    assert [e["message_id"] for e in stack.tracker(sender)["events"] if e["event"] == "user"] == [sid]
    assert phone.post("what's your phone number?", sid=sid).status_code == 200  # Twilio retries it: ignored
    assert phone.twilio.quiet(phone.number, 3) == replies
    with vault.data.connect() as db:
        kept = db.execute(
            text("SELECT request, handled_at FROM sms_received WHERE message_sid = :sid"), {"sid": sid}
        ).one()
    assert kept.request is None and kept.handled_at is not None  # answered: the request is not kept


def test_a_message_answered_just_before_its_process_stopped_is_not_answered_twice(stack, vault, phone):
    answered = phone.text("what's your phone number?")
    (sid,) = [e["message_id"] for e in stack.tracker(phone.sender(vault))["events"] if e["event"] == "user"]
    with vault.data.begin() as db:  # the process died between the answer and marking it handled
        db.execute(text("DELETE FROM sms_received WHERE message_sid = :sid"), {"sid": sid})
    _abandon(vault, phone, "what's your phone number?", sid)
    assert phone.twilio.quiet(phone.number, 12) == answered
    assert len([e for e in stack.tracker(phone.sender(vault))["events"] if e["event"] == "user"]) == 1
    with vault.data.connect() as db:
        assert (
            db.execute(text("SELECT handled_at FROM sms_received WHERE message_sid = :sid"), {"sid": sid}).scalar()
            is not None
        )


def stored(stack, sender: str, count: int) -> list[dict]:
    """The conversation's user events, once it holds `count` of them (a reply is sent before
    its turn is stored)."""
    deadline = time.monotonic() + 30
    while len(user := [e for e in stack.tracker(sender)["events"] if e["event"] == "user"]) < count:
        assert time.monotonic() < deadline, user
        time.sleep(0.1)
    return user


def test_a_later_message_waits_for_an_earlier_one_a_stopped_process_left(stack, vault, phone):
    first = "SM" + secrets.token_hex(16)
    sender = _abandon(vault, phone, "what's your phone number?", first)
    replies = phone.text("what are your opening hours?")
    user = stored(stack, sender, 2)
    assert [e["message_id"] for e in user][0] == first and len(user) == 2  # in the order sent, each once
    assert "469-421-2618" in replies[0]


def test_a_later_message_waits_while_another_process_answers_an_earlier_one(stack, vault, phone):
    first = "SM" + secrets.token_hex(16)
    sender = vault.sms.sender_for(phone.number)
    raw = urlencode(inbound(phone.number, "what's your phone number?", sid=first))
    assert vault.sms_inbox.receive(first, sender, raw, owner="living", lease=claims.LEASE)
    assert phone.post("what are your opening hours?").status_code == 200
    assert phone.twilio.quiet(phone.number, 2) == []  # waiting for the other process
    guidance = " ".join(words([answer_to(assess(EMERGENCY))]))
    assert guidance in " ".join(words(phone.text(EMERGENCY)))  # an emergency does not wait
    vault.sms_inbox.handled(first)  # the other process answered it
    assert [e["text"] for e in stored(stack, sender, 2)] == [EMERGENCY, "what are your opening hours?"]
