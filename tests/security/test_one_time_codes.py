"""Item 7: one-time codes. Codes issued per patient are limited per hour, per day and per
conversation; wrong answers count per claimed identity across codes and conversations and are
answered with growing waits and a fresh code, never a hard lock; the patient hears of repeated
failures; and every answer is the same whether or not the claimed identity is a patient's.
(Real vaults, SQLite and PostgreSQL, with a clock the tests move.)"""

import re
from datetime import date

import pytest

from harness.clients import Chat
from harness.rights import patient
from privacy.subjects.identity import CODES_PER_CONVERSATION, CODES_PER_DAY, CODES_PER_HOUR, VerificationFailed


@pytest.fixture
def vault(clocked_vault):
    return clocked_vault


def codes_sent(vault, subject):
    return [m for m in vault.outbox.messages(subject) if "verification code is" in m.body]


def code_in(message) -> str:
    return re.search(r"\d{6}", message.body).group(0)


def refusal(vault, code_id, code) -> str:
    with pytest.raises(VerificationFailed) as failed:
        vault.identity.verify(code_id, code)
    return str(failed.value)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_codes_issued_are_limited_per_hour_per_day_and_per_conversation(vault, clock):
    subject = patient(vault).subject_id
    for _ in range(CODES_PER_HOUR + 2):
        vault.identity.send_code(subject)
        clock.advance(seconds=5)
    assert len(codes_sent(vault, subject)) == CODES_PER_HOUR
    for _ in range(CODES_PER_DAY * 2):
        clock.advance(minutes=21)
        vault.identity.send_code(subject)
    assert len(codes_sent(vault, subject)) == CODES_PER_DAY
    clock.advance(days=1, seconds=1)
    others = [
        patient(vault, name=f"Other Patient{letter}", phone=f"214-555-01{10 + n}", email=None).subject_id
        for n, letter in enumerate("abcdefgh")
    ]
    for other in others:
        vault.identity.send_code(other, conversation="web_one")
    assert sum(len(codes_sent(vault, other)) for other in others) == CODES_PER_CONVERSATION


def test_wrong_answers_count_across_codes_and_get_growing_waits_and_a_fresh_code(vault, clock):
    subject = patient(vault).subject_id
    claim = vault.identity.claim("Zebulon Quartermaine", date(1961, 3, 14))
    code_id = vault.identity.send_code(subject, claim=claim, conversation="web_first")
    first = code_in(codes_sent(vault, subject)[0])
    assert "2 tries left" in refusal(vault, code_id, wrong(first))
    assert "1 try left" in refusal(vault, code_id, wrong(first))
    with pytest.raises(VerificationFailed) as failed:
        vault.identity.verify(code_id, wrong(first))
    assert "new code is on its way" in str(failed.value) and failed.value.fresh_code_id
    assert "30 seconds" in str(failed.value)  # the third failure: a wait begins
    fresh_id, fresh = failed.value.fresh_code_id, code_in(codes_sent(vault, subject)[0])
    assert "Please wait" in refusal(vault, fresh_id, fresh)  # too soon: not even the right code is checked
    clock.advance(seconds=31)
    assert "1 minute" in refusal(vault, fresh_id, wrong(fresh))  # a wait twice as long
    # another conversation, another code: the failures still count
    clock.advance(minutes=2)
    other_id = vault.identity.send_code(subject, claim=claim, conversation="web_second")
    assert "2 minutes" in refusal(vault, other_id, "000000" if fresh != "000000" else "111111")
    clock.advance(minutes=3)
    assert vault.identity.verify(other_id, code_in(codes_sent(vault, subject)[0])) == subject
    # a success starts the count again
    clock.advance(hours=1)
    code_id = vault.identity.send_code(subject, claim=claim)
    assert re.search(r"2 tries left\.$", refusal(vault, code_id, wrong(code_in(codes_sent(vault, subject)[0]))))


def test_the_patient_is_told_of_repeated_failures_through_the_contact_on_file(vault, clock):
    subject = patient(vault).subject_id
    code_id = vault.identity.send_code(subject)
    for _ in range(5):
        latest = code_in(codes_sent(vault, subject)[0])
        with pytest.raises(VerificationFailed) as failed:
            vault.identity.verify(code_id, wrong(latest))
        code_id = failed.value.fresh_code_id or code_id
        clock.advance(minutes=2)  # past each wait, within each code's 10 minutes
    warnings = [m for m in vault.outbox.messages(subject) if "several wrong verification codes" in m.body]
    assert len(warnings) == 1 and warnings[0].recipient == "+12145550147"


def test_every_answer_is_the_same_whether_or_not_the_claim_is_a_patients(vault, clock):
    subject = patient(vault).subject_id
    known_claim = vault.identity.claim("Zebulon Quartermaine", date(1961, 3, 14))
    unknown_claim = vault.identity.claim("Nobody Inparticular", date(1990, 1, 2))
    known = vault.identity.send_code(subject, claim=known_claim)
    unknown = vault.identity.send_code(None, claim=unknown_claim)
    guess = "000000" if code_in(codes_sent(vault, subject)[0]) != "000000" else "111111"
    answers = {name: [] for name in ("known", "unknown")}
    ids = {"known": known, "unknown": unknown}
    for _ in range(4):
        for name in answers:
            with pytest.raises(VerificationFailed) as failed:
                vault.identity.verify(ids[name], guess)
            answers[name].append(str(failed.value))
            ids[name] = failed.value.fresh_code_id or ids[name]
        clock.advance(minutes=5)
    clock.advance(minutes=11)
    for name in answers:
        answers[name].append(refusal(vault, ids[name], guess))
    assert answers["known"] == answers["unknown"]
    assert "expired" in answers["known"][-1]


def test_a_patient_with_no_contact_on_file_gets_an_answer_not_an_error(vault):
    subject = vault.patients.register(
        "Noah Contact", date(1970, 1, 1), phone=None, actor="staff:test", reason="test"
    ).subject_id
    code_id = vault.identity.send_code(subject)
    assert codes_sent(vault, subject) == []
    assert "2 tries left" in refusal(vault, code_id, "123456")


def test_in_the_chat_the_code_is_announced_alike_for_any_contact_or_none(stack, stack_vault):
    register = stack_vault.patients.register
    email_only = register("Emma Mailonly", date(1975, 6, 1), email="emma@example.org", actor="staff:test", reason="x")
    no_contact = register("Noel Nocontact", date(1976, 7, 2), actor="staff:test", reason="x")
    answers = []
    for name, born in (
        (email_only.name, email_only.birth_date),
        (no_contact.name, no_contact.birth_date),
        ("Nobody Inparticular", date(1977, 8, 3)),
    ):
        chat = Chat(stack)
        chat("show me my appointments")
        chat(name)
        answers.append(chat(born.strftime("%m/%d/%Y")))
    assert answers[0] == answers[1] == answers[2]
    assert "469-421-2618" in answers[0]  # what to do when no code arrives


def test_registration_texts_codes_only_to_numbers_in_the_allowed_regions(stack):
    chat = Chat(stack)
    chat("I'm a new patient")
    chat("Ada Farshore")
    chat("07/04/1985")
    assert "United States and Canada" in chat("+44 20 7946 0958")
    assert "e-mail" in chat("+1 416 555 0134")  # Toronto
