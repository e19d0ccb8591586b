"""The vault's encryption, on SQLite and PostgreSQL: a patient round-trips and is found by blind
indexes, nothing personal is stored in plaintext, bad input stores nothing, and a ciphertext
moved to another row or column or altered fails."""

import subprocess
from datetime import date

import pytest
from sqlalchemy import select, update

from harness.canary import CANARY, SYMPTOM, register
from privacy.config import VaultConfig
from privacy.errors import InvalidInput, NotFound, TamperedError
from privacy.store.schema import health_records, patients


def test_a_patient_round_trips_and_is_found_by_blind_indexes(vault):
    patient = register(vault)
    again = vault.patients.get(patient.id, actor="staff:test", reason="test")
    assert again.name == CANARY["name"] and again.birth_date == CANARY["birth_date"]
    assert again.phone == "+12145550147" and again.email == CANARY["email"]
    assert vault.patients.find(phone="214-555-0147") == patient.id
    assert vault.patients.find(email="Zebulon.Quartermaine@EXAMPLE.org") == patient.id
    assert vault.patients.find(name=" zebulon   QUARTERMAINE ", birth_date=date(1961, 3, 14)) == patient.id
    assert vault.patients.find(phone="214-555-0148") is None


def test_an_update_moves_the_indexes_and_is_audited(vault):
    patient = register(vault)
    vault.patients.update(patient.id, phone="972-555-0123", actor="patient", reason="correction")
    assert vault.patients.find(phone="9725550123") == patient.id
    assert vault.patients.find(phone=CANARY["phone"]) is None
    assert vault.patients.get(patient.id, actor="t", reason="t").phone == "+19725550123"
    assert vault.audit.entries(patient.subject_id)[1]["action"] == "patient.update"
    with pytest.raises(InvalidInput):
        vault.patients.update(patient.id, shoe_size="42", actor="patient", reason="correction")


def test_nothing_personal_is_stored_in_plaintext(vault, vault_config, tmp_path):
    patient = register(vault)
    vault.records.put(patient.subject_id, "symptom", SYMPTOM, actor="patient", reason="intake")
    vault.conversations.save("web-canary", [{"event": "user", "text": f"I am {CANARY['name']}", "timestamp": 1.0}])
    stored = _raw_bytes(vault_config, tmp_path)
    for secret in (
        CANARY["name"],
        "Quartermaine",
        "5550147",
        "555-0147",
        CANARY["email"],
        "Canary Lane",
        "1961-03-14",
        SYMPTOM,
        "web-canary",
    ):
        assert secret.encode() not in stored, secret


def _raw_bytes(config: VaultConfig, tmp_path) -> bytes:
    """Every byte the vault wrote: the SQLite files (with journals), or a dump of both PostgreSQL databases."""
    if config.database_url.startswith("sqlite"):
        return b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith(("vault.db", "keystore.db")))
    dumps = [
        subprocess.run(["pg_dump", url], capture_output=True, check=True).stdout
        for url in (config.database_url, config.keystore_url)
    ]
    return b"".join(dumps)


def test_bad_input_gets_a_clear_error_and_stores_nothing(vault):
    for bad in (dict(phone="12"), dict(email="not-an-address"), dict(name="  "), dict(birth_date=date(2999, 1, 1))):
        with pytest.raises(InvalidInput):
            register(vault, **bad)
    with vault.data.connect() as db:
        assert db.execute(select(patients)).first() is None
    with pytest.raises(NotFound):
        vault.patients.get("p_nope", actor="staff:test", reason="test")


def test_a_ciphertext_moved_to_another_row_or_column_or_altered_fails(vault):
    a, b = register(vault), register(vault, name="Other Person", email="other@example.org", phone="2145550100")
    with vault.data.begin() as db:
        a_name = db.execute(select(patients.c.name).where(patients.c.id == a.id)).scalar()
        db.execute(update(patients).where(patients.c.id == b.id).values(name=a_name))
    with pytest.raises(TamperedError):
        vault.patients.get(b.id, actor="staff:test", reason="test")
    with vault.data.begin() as db:
        db.execute(update(patients).where(patients.c.id == a.id).values(address=a_name))
    with pytest.raises(TamperedError, match="patients|address"):
        vault.patients.get(a.id, actor="staff:test", reason="test")
    record = vault.records.put(a.subject_id, "allergy", "penicillin", actor="patient", reason="intake")
    with vault.data.begin() as db:
        sealed = bytearray(db.execute(select(health_records.c.value)).scalar())
        sealed[-1] ^= 0x01
        db.execute(update(health_records).where(health_records.c.id == record).values(value=bytes(sealed)))
    with pytest.raises(TamperedError):
        vault.records.list(a.subject_id, actor="staff:test", reason="test")
