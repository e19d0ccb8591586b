"""Consent, data-subject rights, retention and research data, at the vault level,
on SQLite and PostgreSQL, with a clock the tests move."""

import json
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from fhir.resources.bundle import Bundle
from sqlalchemy import select

from harness.clock import Clock
from privacy import Vault
from privacy.compliance.consent import ConsentRequired
from privacy.compliance.rights.requests import business_days_after
from privacy.errors import InvalidInput, NotFound, Restricted
from privacy.store.schema import corrections, health_records
from privacy.subjects.identity import VerificationFailed


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def vault(vault_config, clock):
    opened = Vault(vault_config, clock=clock, upgrade=True)
    yield opened
    opened.close()


def patient(
    vault,
    name="Zebulon Quartermaine",
    born=date(1961, 3, 14),
    phone="214-555-0147",
    email="zebulon.quartermaine@example.org",
    address="77 Canary Lane, Plano, TX 75024",
):
    return vault.patients.register(
        name, born, phone=phone, email=email, address=address, actor="staff:front-desk", reason="registration"
    )


def verified(vault, request, via="sms"):
    """Send the code for `request`, read it from the outbox, and verify it."""
    vault.now.advance(seconds=1)  # the newest message is the one just sent
    code_id = vault.identity.send_code(request.subject_id, via=via)
    code = re.search(r"\b(\d{6})\b", vault.outbox.messages(request.subject_id)[0].body).group(1)
    return vault.rights.verify_identity(request.id, code_id, code)


# -- consent ----------------------------------------------------------------------


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


# -- identity verification -----------------------------------------------------------


def test_a_wrong_code_an_expired_code_and_too_many_attempts_are_refused(vault, clock):
    subject = patient(vault).subject_id
    code_id = vault.identity.send_code(subject)
    message = vault.outbox.messages(subject)[0]
    assert message.recipient == "+12145550147" and message.purpose == "identity"
    code = re.search(r"\d{6}", message.body).group(0)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(VerificationFailed, match="4 attempts left"):
        vault.identity.verify(code_id, wrong)
    clock.advance(minutes=11)
    with pytest.raises(VerificationFailed, match="expired"):
        vault.identity.verify(code_id, code)
    code_id = vault.identity.send_code(subject, via="email")
    assert vault.outbox.messages(subject)[0].recipient == "zebulon.quartermaine@example.org"
    for _ in range(5):
        with pytest.raises(VerificationFailed):
            vault.identity.verify(code_id, wrong)
    code = re.search(r"\d{6}", vault.outbox.messages(subject)[0].body).group(0)
    with pytest.raises(VerificationFailed, match="Too many"):
        vault.identity.verify(code_id, code)  # even the right code, once locked out
    with pytest.raises(VerificationFailed, match="15 minutes"):
        vault.identity.send_code(subject)
    clock.advance(minutes=16)
    code_id = vault.identity.send_code(subject)
    code = re.search(r"\d{6}", vault.outbox.messages(subject)[0].body).group(0)
    assert vault.identity.verify(code_id, code) == subject
    with pytest.raises(VerificationFailed, match="already used"):
        vault.identity.verify(code_id, code)


# -- the rights, end to end --------------------------------------------------------------


def test_access_gives_a_readable_summary_and_the_records_behind_an_expiring_link(vault, clock):
    subject = patient(vault).subject_id
    vault.records.put(subject, "allergy", "penicillin", actor="patient", reason="intake")
    vault.disclosures.record(
        subject, "Dr. Ortiz, Frisco Cardiology", "treatment", "referral", "health records", actor="staff:records"
    )
    request = vault.rights.open(subject, "access", channel="web").request
    assert request.status == "received"
    assert request.due_at == business_days_after(clock.now, 15) == datetime(2026, 3, 23, 9, 0, tzinfo=timezone.utc)
    with pytest.raises(InvalidInput, match="identity must be verified"):
        vault.rights.approve(request.id, actor="privacy_officer:ida")
    assert verified(vault, request).status == "identity_verified"
    result = vault.rights.approve(request.id, actor="privacy_officer:ida")
    assert result.request.status == "completed" and result.download_token
    copy = json.loads(vault.exports.fetch(result.download_token))
    summary = copy["summary"]
    assert summary["categories"]["health information"] == ["allergy"]
    assert "phone" in summary["categories"]["personal information"]
    assert summary["shared_with"][0]["recipient"] == "Dr. Ortiz, Frisco Cardiology"
    assert any("registration" in s for s in summary["sources"]) and summary["purposes"] and summary["retention"]
    assert copy["records"]["records"][0]["value"] == "penicillin"
    assert [s.status for s in vault.rights.history(request.id)] == [
        "received",
        "identity_verified",
        "in_progress",
        "completed",
    ]
    clock.advance(days=8)
    with pytest.raises(NotFound, match="expired"):
        vault.exports.fetch(result.download_token)


def test_portability_gives_a_valid_fhir_r4_bundle(vault):
    subject = patient(vault).subject_id
    vault.records.put(subject, "intake", "Reason for visit: cough", actor="patient", reason="intake")
    vault.records.put(subject, "medication", "lisinopril", actor="patient", reason="intake")
    vault.consent.grant(subject, "care", channel="web", wording="I agree to storing my health data for my care.")
    vault.conversations.save(
        "web-z",
        [{"event": "user", "text": "hello", "timestamp": 1.0}, {"event": "bot", "text": "Hi!", "timestamp": 2.0}],
    )
    vault.conversations.link_patient("web-z", subject)
    request = vault.rights.open(subject, "portability", channel="web").request
    verified(vault, request)
    token = vault.rights.approve(request.id, actor="privacy_officer:ida").download_token
    bundle = Bundle.parse_raw(vault.exports.fetch(token))
    kinds = sorted({entry.resource.resource_type for entry in bundle.entry})
    assert kinds == ["Consent", "DocumentReference", "Observation", "Patient", "QuestionnaireResponse"]
    patient_resource = next(e.resource for e in bundle.entry if e.resource.resource_type == "Patient")
    assert patient_resource.name[0].text == "Zebulon Quartermaine"


def test_a_correction_keeps_old_and_new_encrypted_and_a_medical_record_is_amended(vault):
    subject = patient(vault).subject_id
    request = vault.rights.open(
        subject, "correction", channel="web", details={"field": "address", "value": "12 Main St, Frisco, TX 75034"}
    ).request
    verified(vault, request)
    vault.rights.approve(request.id, actor="privacy_officer:ida")
    patient_id = vault.patients.find(phone="214-555-0147")
    assert vault.patients.get(patient_id, actor="t", reason="t").address == "12 Main St, Frisco, TX 75034"
    with vault.data.connect() as db:
        row = db.execute(select(corrections)).first()
    assert b"Canary Lane" not in row.old_value and b"Main St" not in row.new_value
    assert vault.sealer.open(row.old_value, "corrections", "old_value", row.id) == "77 Canary Lane, Plano, TX 75024"
    original = vault.records.put(subject, "allergy", "penicilin", actor="patient", reason="intake")
    request = vault.rights.open(
        subject, "correction", channel="web", details={"record_id": original, "value": "penicillin"}
    ).request
    assert request.due_at - request.received_at == timedelta(days=60)
    verified(vault, request)
    vault.rights.approve(request.id, actor="privacy_officer:ida")
    records = vault.records.list(subject, actor="t", reason="t")
    assert [(r.value, r.amends) for r in records] == [("penicilin", None), ("penicillin", original)]


def test_deletion_without_medical_records_erases_everything(vault):
    subject = patient(vault).subject_id
    request = vault.rights.open(subject, "deletion", channel="web").request
    assert request.due_at - request.received_at == timedelta(days=30)
    verified(vault, request)
    result = vault.rights.approve(request.id, actor="privacy_officer:ida")
    assert result.request.status == "completed"
    assert vault.patients.find(phone="214-555-0147") is None
    with pytest.raises(InvalidInput, match="already erased"):
        vault.rights.open(subject, "deletion", channel="web")
    with pytest.raises(InvalidInput, match="already erased"):
        vault.subjects.erase(subject, actor="privacy_officer:ida", reason="again")


def test_deletion_under_legal_retention_restricts_then_the_sweep_erases(vault, clock):
    subject = patient(vault).subject_id
    vault.records.put(subject, "symptom", "purple tingling", actor="patient", reason="intake")
    vault.conversations.save("web-z", [{"event": "user", "text": "hello", "timestamp": 1.0}])
    vault.conversations.link_patient("web-z", subject)
    request = vault.rights.open(subject, "deletion", channel="web").request
    verified(vault, request)
    result = vault.rights.approve(request.id, actor="privacy_officer:ida").request
    assert result.status == "partially_completed"
    assert result.outcome["until"] == "2033-03-02" and "165.1" in result.outcome["rule"]
    assert "medical records" in result.outcome["kept"]
    assert vault.patients.find(phone="214-555-0147") is None  # contact details gone
    assert vault.conversations.load("web-z") is None  # transcripts gone
    assert [r.value for r in vault.records.list(subject, actor="legal:t", reason="t")] == ["purple tingling"]
    with pytest.raises(Restricted):  # kept for the law only: not for care, support or anything else
        vault.records.list(subject, actor="staff:nurse", reason="follow-up")
    clock.now = datetime(2033, 3, 1, tzinfo=timezone.utc)
    assert vault.retention.sweep().counts["patients whose retention ended"] == 0
    clock.now = datetime(2033, 3, 3, tzinfo=timezone.utc)
    dry = vault.retention.sweep(dry_run=True)
    assert dry.counts["patients whose retention ended"] == 1
    assert vault.records.list(subject, actor="legal:t", reason="t")  # a dry run changes nothing
    assert vault.retention.sweep().counts["patients whose retention ended"] == 1
    assert vault.rights.get(request.id).status == "completed"
    with vault.data.connect() as db:
        assert db.execute(select(health_records)).first() is None


def test_a_legal_hold_blocks_erasure_until_released(vault, clock):
    subject = patient(vault).subject_id
    hold = vault.retention.place_hold(subject, "litigation 2026-017", actor="privacy_officer:ida")
    request = vault.rights.open(subject, "deletion", channel="web").request
    verified(vault, request)
    outcome = vault.rights.approve(request.id, actor="privacy_officer:ida").request
    assert outcome.status == "partially_completed" and "legal hold" in outcome.outcome["rule"]
    clock.advance(days=3650)
    report = vault.retention.sweep()
    assert report.counts["patients whose retention ended"] == 0 and report.held == 1
    vault.retention.release_hold(hold, actor="privacy_officer:ida")
    assert vault.retention.sweep().counts["patients whose retention ended"] == 1
    assert vault.rights.get(request.id).status == "completed"


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


# -- retention and research ------------------------------------------------------------


def test_the_sweep_removes_old_codes_transcripts_and_links_but_keeps_what_is_current(vault, clock):
    subject = patient(vault).subject_id
    vault.records.put(subject, "symptom", "cough", actor="patient", reason="intake")
    vault.identity.send_code(subject)
    vault.conversations.save("web-old", [{"event": "user", "text": "hello", "timestamp": 1.0}])
    clock.advance(days=400)
    vault.conversations.save("web-new", [{"event": "user", "text": "hi again", "timestamp": 2.0}])
    counts = vault.retention.sweep().counts
    assert counts["one-time codes"] == 1 and counts["conversation transcripts"] == 1
    assert counts["patients whose retention ended"] == 0  # medical records: 7 years
    assert vault.conversations.load("web-old") is None and vault.conversations.load("web-new")
    assert vault.audit.verify().ok


def _research_patients(vault, count, born, zip_code, consent=True):
    subjects = []
    for i in range(count):
        subject = vault.patients.register(
            f"Research Person{i} Zed{born.year}",
            born,
            phone=f"214555{born.year % 100:02d}{i:02d}",
            email=f"r{i}.{born.year}@example.org",
            address=f"{100 + i} Elm St, Frisco, TX {zip_code}",
            actor="staff:t",
            reason="t",
        ).subject_id
        vault.records.put(
            subject,
            "symptom",
            f"headache since 2026-02-1{i % 10}, call me at 214-555-01{i:02d}, I am Person{i}",
            actor="patient",
            reason="intake",
        )
        if consent:
            vault.consent.grant(subject, "research", channel="web", wording="Use my anonymized data for research.")
        subjects.append(subject)
    return subjects


def test_the_research_export_holds_no_identifier_and_withholds_small_groups(vault):
    adults = _research_patients(vault, 5, date(1980, 5, 17), "75034")
    _research_patients(vault, 2, date(1930, 1, 2), "75034")  # over 89: a group of 2, below k
    _research_patients(vault, 3, date(1990, 1, 1), "75035", consent=False)
    vault.rights.open(adults[0], "objection", channel="web", details={"purposes": ["research"]})
    with pytest.raises(InvalidInput, match="No group"):
        vault.research.export(k=5)  # 4 adults left after the objection, 2 elderly: nothing reaches k=5
    export = vault.research.export(k=4)
    text = json.dumps(export)
    manifest = export["manifest"]
    assert manifest["people_consented"] == 6 and manifest["people_released"] == 4
    assert manifest["k_anonymity"] == {
        "passed": True,
        "smallest_released_group": 4,
        "groups_suppressed": 1,
        "people_suppressed": 2,
    }
    assert {p["zip3"] for p in export["people"]} == {"750"} and {p["age_group"] for p in export["people"]} == {"45-64"}
    for seeded in (
        "Person",
        "Zed1980",
        "Elm St",
        "75034",
        "214555",
        "555-01",
        "example.org",
        "1980-05-17",
        "2026-02-1",
        adults[1],
    ):
        assert seeded not in text, seeded
    assert "headache since [date" in text
