"""Consent at the vault level: purposes off until granted, sends it does not allow refused, minors
and their representatives, disclosures and their basis; objection, opt-out and withdrawal at once."""

from datetime import date

import pytest

from harness.rights import patient
from privacy.compliance.consent import ConsentRequired
from privacy.errors import InvalidInput


def test_purposes_are_off_until_granted_and_withdrawal_is_immediate(vault):
    subject = patient(vault).subject_id
    assert vault.consent.state(subject) == dict.fromkeys(vault.consent.state(subject), False)
    vault.consent.grant(subject, "marketing", channel="web", wording="Send me news and offers.")
    assert vault.consent.allows(subject, "marketing")
    vault.consent.withdraw(subject, "marketing", channel="sms", wording="STOP")
    assert not vault.consent.allows(subject, "marketing")
    history = vault.consent.history(subject)
    assert [(e.purpose, e.granted, e.channel, e.wording) for e in history] == [
        ("marketing", True, "web", "Send me news and offers."),
        ("marketing", False, "sms", "STOP"),
    ]
    assert all(e.policy_version and e.acted_by == "self" for e in history)


def test_a_send_that_consent_does_not_allow_is_refused_counted_and_audited(vault):
    subject = patient(vault).subject_id
    vault.consent.grant(subject, "sms", channel="sms", wording="Text me appointment reminders.")
    vault.outbox.queue(subject, "sms", "reminder", "+12145550147", "Reminder: visit tomorrow at 9:00.")
    vault.consent.withdraw(subject, "sms", channel="sms", wording="STOP")
    with pytest.raises(ConsentRequired):
        vault.outbox.queue(subject, "sms", "reminder", "+12145550147", "Reminder: visit tomorrow at 9:00.")
    with pytest.raises(ConsentRequired):
        vault.outbox.queue(subject, "email", "marketing", "z@example.org", "Spring offers!")
    assert len(vault.outbox.messages(subject)) == 1
    assert vault.consent.refusals(subject) == 2
    assert vault.audit.entries(subject)[0]["action"] == "consent.refused"


def test_a_minor_cannot_consent_alone_but_a_recorded_parent_can(vault, clock):
    child = patient(
        vault, name="Kid Quartermaine", born=date(2015, 6, 1), email="kid@example.org", phone="214-555-0190"
    ).subject_id
    parent = patient(vault).subject_id
    with pytest.raises(ConsentRequired, match="under 18"):
        vault.consent.grant(child, "care", channel="web", wording="I agree to storing my health data.")
    with pytest.raises(ConsentRequired):
        vault.consent.grant(child, "care", channel="web", wording="I agree.", acted_by=parent)
    vault.consent.add_representative(child, parent, "parent", recorded_by="staff:front-desk")
    entry = vault.consent.grant(child, "care", channel="web", wording="I agree, for my son.", acted_by=parent)
    assert entry.acted_by == f"representative:{parent}"
    assert vault.consent.allows(child, "care")
    with pytest.raises(ConsentRequired):  # the request for a minor also comes from the representative
        vault.rights.open(child, "access", channel="web")
    assert vault.rights.open(child, "access", channel="web", acted_by=parent).request.requested_by.startswith(
        "representative:"
    )


def test_a_disclosure_needs_a_basis_and_consent_when_consent_is_the_basis(vault):
    subject = patient(vault).subject_id
    with pytest.raises(ConsentRequired):
        vault.disclosures.record(
            subject, "Acme Wellness App", "consent", "wellness coaching", "health records", actor="staff:records"
        )
    vault.disclosures.record(
        subject, "Dr. Ortiz, Frisco Cardiology", "treatment", "referral", "health records", actor="staff:records"
    )
    with pytest.raises(InvalidInput):
        vault.disclosures.record(subject, "Someone", "curiosity", "none", "all", actor="staff:records")
    assert [d.recipient for d in vault.disclosures.of(subject)] == ["Dr. Ortiz, Frisco Cardiology"]


def test_objection_opt_out_and_withdrawal_take_effect_at_once(vault):
    subject = patient(vault).subject_id
    for purpose in ("research", "analytics", "marketing", "sms"):
        vault.consent.grant(subject, purpose, channel="web", wording=f"Yes to {purpose}.")
    objection = vault.rights.open(subject, "objection", channel="web", details={"purposes": ["research"]}).request
    assert objection.status == "completed" and not vault.consent.allows(subject, "research")
    assert vault.consent.allows(subject, "analytics")
    assert vault.rights.open(subject, "marketing_opt_out", channel="sms").request.status == "completed"
    assert not vault.consent.allows(subject, "marketing")
    vault.rights.open(subject, "consent_withdrawal", channel="web", details={"purposes": ["sms"]})
    assert not vault.consent.allows(subject, "sms") and vault.consent.allows(subject, "analytics")
    assert vault.consent.history(subject)[-1].wording == "I withdraw my consent to sms."
