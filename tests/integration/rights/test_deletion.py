"""The right to deletion at the vault level: everything erased without medical records, restricted
until the legal retention ends otherwise, and held while a legal hold lasts."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from harness.rights import patient, verified
from privacy.errors import InvalidInput, Restricted
from privacy.store.schema import health_records


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
