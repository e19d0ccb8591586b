"""Texts going out: through the real twilio client to the stand-in, retried after a failure, the
vault's queued codes sent once, and into the local outbox without a Twilio account."""

import asyncio

from channels.sms.delivery import OutboxDelivery, configured
from harness.clients import Chat
from harness.registration import last_code, new_patient
from privacy import shared_vault


def test_a_failed_send_is_retried_and_logged_without_the_text(phone, twilio, stack):
    twilio.failures.extend([500, 503])
    assert "$150" in " ".join(phone.text("What are your visit prices?"))
    failures = [line for line in stack.logs().splitlines() if "failed (attempt" in line]
    assert any("Twilio status 500" in line for line in failures)
    assert any("Twilio status 503" in line for line in failures)
    assert not any("$150" in line or phone.number[2:] in line for line in failures)


def test_codes_queued_in_the_vault_go_out_by_sms_once(stack, twilio, stack_vault):
    name, born, number, subject = new_patient(stack_vault)
    chat = Chat(stack)
    chat("when is my appointment?")
    chat(name)
    assert "6-digit code" in chat(born.strftime("%m/%d/%Y"))
    (sent,) = twilio.wait_for(number, 1)
    assert last_code(stack_vault, subject) in sent
    assert stack_vault.outbox.messages(subject)[0].sent_at is not None
    assert twilio.quiet(number, 5) == [sent]


def test_without_twilio_replies_wait_in_the_local_outbox(stack, stack_vault, monkeypatch):
    assert isinstance(configured(), OutboxDelivery)  # this process has no Twilio account
    for name in ("DATABASE_URL", "KEYSTORE_URL", "VAULT_KEYS", "VAULT_INDEX_KEY", "VAULT_AUDIT_KEY"):
        monkeypatch.setenv(name, stack.env[name])
    shared_vault.cache_clear()
    try:
        sender = stack_vault.sms.sender_for("+19725550142")
        assert asyncio.run(OutboxDelivery().send(sender, "Your visit is on Monday at 9:00 am."))
    finally:
        shared_vault.cache_clear()
    message = stack_vault.outbox.messages(stack_vault.conversations.subject_of(sender))[0]
    assert (message.channel, message.purpose, message.recipient, message.body) == (
        "sms",
        "reply",
        "+19725550142",
        "Your visit is on Monday at 9:00 am.",
    )
