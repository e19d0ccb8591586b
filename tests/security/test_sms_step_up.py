"""Item 6: by SMS the phone number alone identifies a patient, which is enough to show appointment
times but not to release the record: access, export and correction by text are sent to the
secure web chat (date of birth and a one-time code there), and no download link goes by SMS."""

import pytest

from harness.clients import Phone, words
from harness.registration import new_patient


@pytest.mark.parametrize(
    "asked", ["what information do you have about me?", "send me a copy of all my data", "my address on file is wrong"]
)
def test_the_record_is_neither_shown_sent_nor_changed_by_sms(stack, twilio, stack_vault, asked):
    name, _, number, subject = new_patient(stack_vault)
    patient = Phone(stack, twilio, number)
    replies = " ".join(words(patient.text(asked)))
    assert "secure web chat" in replies and "/webhooks/widget/" in replies
    assert "/webhooks/downloads/" not in replies and name not in replies
    assert stack_vault.rights.list(open_only=False, subject_id=subject) == []


def test_appointment_times_are_still_shown_to_the_number_on_file(stack, twilio, stack_vault):
    _, _, number, _ = new_patient(stack_vault)
    replies = " ".join(words(Phone(stack, twilio, number).text("when is my next appointment?")))
    assert "recognized you by the phone number" in replies and "no upcoming appointments" in replies
