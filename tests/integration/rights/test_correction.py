"""The right to correction at the vault level: old and new values kept encrypted, and a medical
record amended rather than changed."""

from datetime import timedelta

from sqlalchemy import select

from harness.rights import patient, verified
from privacy.store.schema import corrections


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
