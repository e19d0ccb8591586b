"""The identity check and registration end to end (REST channel, rasa server, action server and
vault): a wrong code, unknown details answered as known ones, a new patient with a verified phone
and consent recorded, a minor who cannot register alone."""

import random
import string
from datetime import date

from harness.registration import last_code, new_patient


def test_a_wrong_code_is_refused_and_nothing_personal_is_shown(chat, vault):
    name, born, _, subject = new_patient(vault)
    assert "full name" in chat("when is my next appointment?")
    chat(name)
    chat(born.strftime("%m/%d/%Y"))
    right = last_code(vault, subject)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    assert "not right; 2 tries left" in chat(wrong)
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
