"""The rights of access and portability at the vault level: a readable summary and the records
behind an expiring link, and a valid FHIR R4 bundle."""

import json
from datetime import datetime, timezone

import pytest
from fhir.resources.bundle import Bundle

from harness.rights import CLIENT, downloaded, patient, verified
from privacy.compliance.rights.requests import business_days_after
from privacy.errors import InvalidInput, NotFound


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
    copy = json.loads(downloaded(vault, result.download_token, subject))
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
    clock.advance(minutes=31)
    with pytest.raises(NotFound, match="expired"):
        vault.exports.send_code(result.download_token, CLIENT)


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
    bundle = Bundle.parse_raw(downloaded(vault, token, subject))
    kinds = sorted({entry.resource.resource_type for entry in bundle.entry})
    assert kinds == ["Consent", "DocumentReference", "Observation", "Patient", "QuestionnaireResponse"]
    patient_resource = next(e.resource for e in bundle.entry if e.resource.resource_type == "Patient")
    assert patient_resource.name[0].text == "Zebulon Quartermaine"
