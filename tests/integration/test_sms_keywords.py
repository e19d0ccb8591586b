"""STOP, START and HELP: the number's SMS consent, the carrier answers, and after STOP nothing
but emergency guidance."""

from bot.emergency import answer_to
from channels.sms.keywords import HELP, STARTED, STOPPED
from harness.clients import EMERGENCY, Phone, words
from harness.registration import new_patient
from safety import assess


def test_after_stop_nothing_is_sent_but_emergency_guidance(phone, stack_vault):
    assert phone.text("STOP") == [STOPPED]
    subject = stack_vault.conversations.subject_of(phone.sender(stack_vault))
    entry = stack_vault.consent.history(subject)[-1]
    assert (entry.purpose, entry.granted, entry.channel, entry.wording) == ("sms", False, "sms", STOPPED)
    before = len(phone.twilio.to(phone.number))
    assert phone.post("hello").status_code == 200
    assert phone.post("I want to book an appointment").status_code == 200
    assert phone.twilio.quiet(phone.number, 3)[before:] == []
    assert words(phone.text(EMERGENCY)) == words([answer_to(assess(EMERGENCY))])
    assert phone.text("START") == [STARTED]
    assert stack_vault.consent.latest(subject, "sms") is True
    assert phone.text("hello")


def test_stop_also_withdraws_the_patients_sms_consent(stack, twilio, stack_vault):
    name, born, number, subject = new_patient(stack_vault)
    assert stack_vault.consent.allows(subject, "sms")
    Phone(stack, twilio, number).text("stop")
    assert not stack_vault.consent.allows(subject, "sms")


def test_help_answers_as_carriers_expect(phone):
    (reply,) = phone.text("HELP")
    assert reply == HELP and "STOP" in reply and "(469) 421-2618" in reply


def test_yes_is_an_answer_unless_the_number_opted_out(phone):
    assert phone.text("yes") != [STARTED]
    phone.text("unsubscribe")
    assert phone.text("Yes") == [STARTED]
