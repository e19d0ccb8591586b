"""What a text gets from the running assistant: polite answers to pictures and to what the
checks refuse, a patient known by their number, numbered buttons, the web chat for health
questions, a flood stopped, and no number or message in plaintext."""

import math
import time

from bot.emergency import answer_to
from channels.guard import CARD_REFUSED
from channels.inbound import EMPTY, TOO_LONG
from channels.rate_limit import SLOW_DOWN
from channels.sms.answer import PICTURE_IGNORED, PICTURE_ONLY
from channels.sms.text import segments
from harness.clients import Phone, words
from harness.databases import stored_bytes
from harness.registration import new_patient
from safety import assess


def test_a_picture_an_empty_and_an_oversized_message_get_a_polite_answer(phone):
    assert phone.text("", NumMedia="1", MediaUrl0="https://api.twilio.com/media/x", MediaContentType0="image/jpeg") == [
        PICTURE_ONLY
    ]
    assert phone.text("") == segments(EMPTY)
    assert phone.text("a" * 1601) == segments(TOO_LONG)
    replies = phone.text("hello", NumMedia="1", MediaUrl0="https://api.twilio.com/media/y")
    assert replies[0] == PICTURE_IGNORED and len(replies) > 1  # the words are still answered


def test_a_card_number_is_refused(phone):
    assert phone.text("my card is 4111 1111 1111 1111 exp 12/29") == segments(CARD_REFUSED)


def test_a_patient_is_known_by_their_number_and_picks_a_button_by_its_number(stack, twilio, stack_vault):
    name, born, number, subject = new_patient(stack_vault)
    patient = Phone(stack, twilio, number)
    replies = " ".join(words(patient.text("I'd like to book an appointment")))
    assert "recognized you by the phone number" in replies
    assert "1. In person (Frisco office) 2. Video 3. Phone" in replies
    assert name not in replies
    patient.text("2")
    assert stack.tracker(patient.sender(stack_vault))["slots"]["book_visit_type"] == "video"


def test_health_questions_move_to_the_web_chat(phone):
    replies = " ".join(phone.text("I have had a sore throat and a cough since Monday"))
    assert "secure web chat" in replies and "/webhooks/widget/" in replies
    assert "severity" not in replies.lower() and "sore throat" not in replies


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


def test_no_phone_number_or_message_is_stored_or_logged_in_plaintext(phone, stack, stack_vault):
    phone.text("hello, my cat's name is Quetzalcoatl")
    tracker = stack.tracker(phone.sender(stack_vault))
    assert tracker["sender_id"].startswith("sms_")
    stored, logs = stored_bytes(stack), stack.logs()
    area, exchange, line = phone.number[2:5], phone.number[5:8], phone.number[8:]
    # the number as written, not seven bare digits: those turn up by chance in megabytes of ciphertext and timestamps
    written = (phone.number, phone.number[2:], f"({area}) {exchange}-{line}", f"{area}-{exchange}-{line}")
    for secret in (*written, f"{exchange}-{line}", "Quetzalcoatl"):
        assert secret.encode() not in stored, secret
        assert secret not in logs, secret
