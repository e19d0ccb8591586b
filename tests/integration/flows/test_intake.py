"""The intake end to end: with consent each answer stored encrypted and triaged, without consent
or identity nothing stored, and an emergency in the middle answered at once."""

from harness.registration import new_patient, verify


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
