"""What every rights request goes through, at the vault level: the one-time code that verifies the
requester, the queue with overdue requests first, and bad input refused with nothing changed."""

import re

import pytest

from harness.rights import patient
from privacy.errors import InvalidInput, NotFound
from privacy.subjects.identity import VerificationFailed


def test_a_wrong_code_an_expired_code_and_a_used_code_are_refused(vault, clock):
    subject = patient(vault).subject_id
    code_id = vault.identity.send_code(subject)
    message = vault.outbox.messages(subject)[0]
    assert message.recipient == "+12145550147" and message.purpose == "identity"
    code = re.search(r"\d{6}", message.body).group(0)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(VerificationFailed, match="2 tries left"):
        vault.identity.verify(code_id, wrong)
    clock.advance(minutes=11)
    with pytest.raises(VerificationFailed, match="expired"):
        vault.identity.verify(code_id, code)
    clock.advance(seconds=1)
    code_id = vault.identity.send_code(subject, via="email")
    assert vault.outbox.messages(subject)[0].recipient == "zebulon.quartermaine@example.org"
    code = re.search(r"\d{6}", vault.outbox.messages(subject)[0].body).group(0)
    assert vault.identity.verify(code_id, code) == subject
    with pytest.raises(VerificationFailed, match="already used"):
        vault.identity.verify(code_id, code)


def test_the_queue_lists_overdue_requests_first(vault, clock):
    first = vault.rights.open(patient(vault).subject_id, "deletion", channel="web").request
    clock.advance(days=10)
    second = vault.rights.open(
        patient(vault, name="Other Person", phone="214-555-0100", email="o@example.org").subject_id,
        "access",
        channel="web",
    ).request
    clock.advance(days=21)  # the deletion is now 31 days old: overdue; the access is due in 4 days
    assert [r.id for r in vault.rights.list()] == [first.id, second.id]
    assert vault.rights.list()[0].overdue(clock.now)
    denied = vault.rights.deny(second.id, actor="privacy_officer:ida", reason="We could not verify your identity.")
    assert denied.status == "denied" and denied.outcome["reason"] == "We could not verify your identity."
    assert [r.id for r in vault.rights.list()] == [first.id]


def test_bad_input_gets_a_clear_error_and_changes_nothing(vault):
    subject = patient(vault).subject_id
    entries = len(vault.audit.entries(limit=1000))
    with pytest.raises(NotFound):
        vault.rights.get("R-NOPE")
    with pytest.raises(InvalidInput):
        vault.rights.open(subject, "telepathy", channel="web")
    with pytest.raises(InvalidInput):
        vault.rights.open(subject, "correction", channel="web", details={"field": "shoe_size", "value": "9"})
    access = vault.rights.open(subject, "access", channel="web").request
    with pytest.raises(InvalidInput):
        vault.rights.deny(access.id, actor="privacy_officer:ida", reason="  ")
    with pytest.raises(NotFound):
        vault.rights.deny("R-NOPE", actor="privacy_officer:ida", reason="no such request")
    with pytest.raises(InvalidInput):
        vault.consent.grant(subject, "mind_reading", channel="web", wording="ok")
    assert [r.id for r in vault.rights.list()] == [access.id] and vault.rights.get(access.id).status == "received"
    assert len(vault.audit.entries(limit=1000)) == entries + 1  # the access request's opening, nothing else
