"""The vault on its own, on SQLite and PostgreSQL: encryption, lookups, tampering, keys, erasure."""

import os
import shutil
import subprocess
import threading
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text, update

from harness.databases import create_pg_database, drop_pg_database
from privacy import Vault
from privacy.compliance.audit import APPEND_LOCK
from privacy.config import VaultConfig
from privacy.errors import ConfigurationError, InvalidInput, NotFound, SchemaBehind, SubjectErased, TamperedError
from privacy.store.schema import health_records, patients, sms_received

CANARY = dict(
    name="Zebulon Quartermaine",
    birth_date=date(1961, 3, 14),
    phone="(214) 555-0147",
    email="zebulon.quartermaine@example.org",
    address="77 Canary Lane, Plano, TX 75024",
)
SYMPTOM = "purple tingling in the left earlobe"


def register(vault, **changes):
    return vault.patients.register(**(CANARY | changes), actor="staff:test", reason="test")


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


def test_the_vault_refuses_to_start_without_keys(monkeypatch):
    monkeypatch.setenv("VAULT_KEYS", "")
    monkeypatch.setenv("ENV_FILE", "/dev/null")
    with pytest.raises(ConfigurationError, match="VAULT_KEYS"):
        VaultConfig.from_env()
    monkeypatch.setenv("VAULT_KEYS", "kek-1:c2hvcnQ=")
    monkeypatch.setenv("VAULT_INDEX_KEY", "x")
    with pytest.raises(ConfigurationError, match="32 bytes"):
        VaultConfig.from_env()


def test_a_wrong_or_missing_key_fails_at_start_and_writes_nothing(vault, vault_config):
    register(vault)
    vault.close()
    with pytest.raises(ConfigurationError, match="not the key"):
        Vault(replace(vault_config, key_ring={"kek-test-1": os.urandom(32)}))
    with pytest.raises(ConfigurationError, match="lacks"):
        Vault(replace(vault_config, key_ring={"kek-other": os.urandom(32)}))


def test_a_database_behind_the_code_is_refused_with_the_command_to_run(vault_config):
    with pytest.raises(SchemaBehind, match="python -m privacy migrate"):
        Vault(vault_config)


def test_rotation_rewraps_every_data_key_resumably_and_the_old_key_retires(vault, vault_config):
    people = [register(vault, email=f"p{i}@example.org", phone=f"21455501{i:02d}") for i in range(7)]
    vault.close()
    ring = dict(vault_config.key_ring, **{"kek-test-2": os.urandom(32)})
    rotated = Vault(replace(vault_config, key_ring=ring))
    assert rotated.keystore.rewrap(batch=3, max_batches=1) == 3  # interrupted after one batch
    assert rotated.keystore.usage() == {"kek-test-1": 11, "kek-test-2": 3}  # two keys per patient
    assert all(rotated.patients.get(p.id, actor="t", reason="t").name == CANARY["name"] for p in people)
    assert rotated.keystore.rewrap(batch=3) == 11  # resumed
    assert rotated.keystore.usage() == {"kek-test-2": 14}
    rotated.keystore.retire("kek-test-1")
    rotated.close()
    only_new = Vault(replace(vault_config, key_ring={"kek-test-2": ring["kek-test-2"]}))
    assert all(only_new.patients.get(p.id, actor="t", reason="t").email for p in people)
    only_new.close()


def test_erasure_destroys_the_key_so_a_copy_taken_before_cannot_be_read(vault, vault_config, tmp_path):
    kept, erased = register(vault, email="kept@example.org", phone="2145550111"), register(vault)
    vault.records.put(erased.subject_id, "symptom", SYMPTOM, actor="patient", reason="intake")
    vault.close()
    copy_config = _copy_data_database(vault_config, tmp_path)
    vault = Vault(vault_config)
    report = vault.subjects.erase(erased.subject_id, actor="privacy_officer:test", reason="deletion request")
    assert report.keys_destroyed == 2 and report.rows_deleted == 2  # identity and contact keys
    with pytest.raises(NotFound):
        vault.patients.get(erased.id, actor="t", reason="t")
    with pytest.raises(InvalidInput, match="already erased"):
        vault.subjects.erase(erased.subject_id, actor="privacy_officer:test", reason="again")
    old = Vault(copy_config)  # the copy still holds the rows, but their key is gone
    try:
        with pytest.raises(SubjectErased):
            old.patients.get(erased.id, actor="t", reason="t")
        with pytest.raises(SubjectErased):
            old.records.list(erased.subject_id, actor="t", reason="t")
        assert old.patients.get(kept.id, actor="t", reason="t").email == "kept@example.org"
    finally:
        old.close()
        if not copy_config.database_url.startswith("sqlite"):
            drop_pg_database(copy_config.database_url.rsplit("/", 1)[1])


def _copy_data_database(config: VaultConfig, tmp_path) -> VaultConfig:
    if config.database_url.startswith("sqlite"):
        shutil.copy(tmp_path / "vault.db", tmp_path / "copy.db")
        return replace(config, database_url=f"sqlite:///{tmp_path / 'copy.db'}")
    source = config.database_url.rsplit("/", 1)[1]
    return replace(config, database_url=create_pg_database(f"{source}_copy", template=source))


def test_a_conversation_is_stored_event_by_event_and_erased_with_its_patient(vault):
    events = [
        {"event": "action", "name": "action_session_start", "timestamp": 1.0},
        {"event": "session_started", "timestamp": 1.1},
        {"event": "user", "text": "hello", "timestamp": 2.0},
    ]
    assert vault.conversations.save("web-1", events) == 3
    # Later calls pass the session's events (from session_started on), as loaded plus what is new.
    assert vault.conversations.save("web-1", events[1:]) == 0
    later = events[1:] + [{"event": "bot", "text": "hi", "timestamp": 3.0}]
    assert vault.conversations.save("web-1", later) == 1
    assert vault.conversations.load("web-1") == later
    assert len(vault.conversations.load("web-1", all_sessions=True)) == 4
    assert vault.conversations.senders() == ["web-1"]
    patient = register(vault)
    vault.conversations.link_patient("web-1", patient.subject_id)
    vault.subjects.erase(patient.subject_id, actor="privacy_officer:test", reason="deletion request")
    assert vault.conversations.load("web-1") is None
    assert vault.conversations.senders() == []


def test_concurrent_audit_appends_keep_one_chain(vault, vault_config):
    other = Vault(vault_config)
    start, failures = threading.Barrier(4), []

    def append_15(writer: Vault) -> None:
        start.wait()  # the first appends of both processes race for the empty chain
        try:
            for _ in range(15):
                writer.audit.append("system", "test.append")
        except Exception as error:  # reported below: a thread's exception is otherwise only a warning
            failures.append(error)

    workers = [threading.Thread(target=append_15, args=(v,)) for v in (vault, other, vault, other)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    other.close()
    assert failures == []
    verdict = vault.audit.verify()
    assert verdict.ok and verdict.entries == 60


def test_verify_finds_the_audit_checkpoint_removed(vault):
    vault.audit.append("system", "test.append")
    with vault.keys.begin() as db:
        db.execute(text("DELETE FROM audit_head"))
    verdict = vault.audit.verify()
    assert not verdict.ok and "checkpoint" in verdict.problem


@pytest.mark.parametrize(
    "tamper, problem",
    [
        ("UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 3", "changed"),
        ("DELETE FROM audit_log WHERE seq = 3", "missing"),
        (
            "UPDATE audit_log SET seq = seq + 100 WHERE seq IN (2, 3); "
            "UPDATE audit_log SET seq = 3 WHERE seq = 102; UPDATE audit_log SET seq = 2 WHERE seq = 103",
            "order",
        ),
        ("DELETE FROM audit_log WHERE seq >= 4", "removed"),
    ],
)
def test_verify_finds_an_edited_deleted_reordered_or_truncated_audit_entry(vault, tamper, problem):
    for n in range(5):
        vault.audit.append("system", "test.append", reason=f"entry {n + 1}")
    assert vault.audit.verify().ok
    with vault.data.begin() as db:
        for statement in tamper.split("; "):
            db.execute(text(statement))
    verdict = vault.audit.verify()
    assert not verdict.ok and problem in verdict.problem
    assert verdict.first_bad in (2, 3, 4)


def test_audit_appends_from_every_process_wait_for_one_lock_on_postgresql(vault):
    if vault.data.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time anyway")
    appended = []
    with vault.data.connect() as holder:  # another process's append in progress
        holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": APPEND_LOCK})
        writer = threading.Thread(target=lambda: appended.append(vault.audit.append("system", "test.append")))
        writer.start()
        writer.join(timeout=1.5)
        assert writer.is_alive() and not appended
        holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": APPEND_LOCK})
    writer.join(timeout=30)
    assert appended and vault.audit.verify().ok


def test_a_senders_earlier_sms_is_waited_for_while_its_process_lives_and_taken_over_once_it_died(vault):
    lease = timedelta(seconds=20)
    vault.sms_inbox.receive("SM1", "sms_a", "Body=first", owner="p1", lease=lease)
    vault.sms_inbox.receive("SM2", "sms_a", "Body=second", owner="p2", lease=lease)
    vault.sms_inbox.receive("SM3", "sms_b", "Body=other sender", owner="p2", lease=lease)
    assert vault.sms_inbox.earlier("SM1", "sms_a", "p1", lease) == []
    assert vault.sms_inbox.earlier("SM2", "sms_a", "p2", lease) is None  # p1 is alive and answering SM1
    assert vault.sms_inbox.earlier("SM3", "sms_b", "p2", lease) == []
    with vault.data.begin() as db:  # p1 died: its lease ran out
        db.execute(
            update(sms_received)
            .where(sms_received.c.message_sid == "SM1")
            .values(claimed_until=vault.now() - timedelta(seconds=1))
        )
    assert vault.sms_inbox.earlier("SM2", "sms_a", "p2", lease) == [("SM1", "Body=first", True)]
    assert vault.sms_inbox.take_over("p3", lease) == []  # p2 holds it now
    assert vault.sms_inbox.earlier("SM2", "sms_a", "p2", lease) == [("SM1", "Body=first", False)]
    vault.sms_inbox.handled("SM1")
    assert vault.sms_inbox.earlier("SM2", "sms_a", "p2", lease) == []
