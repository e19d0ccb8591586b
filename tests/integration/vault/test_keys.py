"""The vault's keys, on SQLite and PostgreSQL: no start without keys, with a wrong one or on a
schema behind the code; rotation that resumes and retires the old key; a data key moved to
another subject or scope that does not unwrap; erasure that destroys the key, so that a copy
taken before cannot be read."""

import os
import shutil
from dataclasses import replace

import pytest
from sqlalchemy import delete, update

from harness.canary import CANARY, SYMPTOM, register
from harness.databases import create_pg_database, drop_pg_database
from privacy import Vault
from privacy.config import VaultConfig
from privacy.errors import ConfigurationError, InvalidInput, NotFound, SchemaBehind, SubjectErased, TamperedError
from privacy.store.schema import data_keys


def test_the_vault_refuses_to_start_without_keys(monkeypatch):
    monkeypatch.setenv("VAULT_KEYS", "")
    monkeypatch.setenv("ENV_FILE", "/dev/null")
    with pytest.raises(ConfigurationError, match="VAULT_KEYS"):
        VaultConfig.from_env()
    monkeypatch.setenv("VAULT_KEYS", "kek-1:c2hvcnQ=")
    monkeypatch.setenv("VAULT_INDEX_KEY", "x")
    monkeypatch.delenv("VAULT_AUDIT_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="VAULT_AUDIT_KEY"):
        VaultConfig.from_env()
    monkeypatch.setenv("VAULT_AUDIT_KEY", "x")
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


@pytest.mark.parametrize("moved_to", ["another subject", "another scope"])
def test_a_data_key_moved_to_another_subject_or_scope_does_not_unwrap(vault, vault_config, moved_to):
    owner, other = register(vault), register(vault, email="other@example.org", phone="2145550199")
    vault.records.put(owner.subject_id, "symptom", SYMPTOM, actor="patient", reason="intake")
    subject, scope = (other.subject_id, "main") if moved_to == "another subject" else (owner.subject_id, "contact")
    with vault.keys.begin() as db:  # the owner's main key takes the place of another
        db.execute(delete(data_keys).where(data_keys.c.subject_id == subject, data_keys.c.scope == scope))
        db.execute(
            update(data_keys)
            .where(data_keys.c.subject_id == owner.subject_id, data_keys.c.scope == "main")
            .values(subject_id=subject, scope=scope)
        )
    vault.close()
    fresh = Vault(vault_config)  # no key in its cache
    try:
        with pytest.raises(TamperedError, match="moved to another subject or scope"):
            fresh.records.list(owner.subject_id, actor="t", reason="t")
        with pytest.raises(TamperedError):  # nothing is sealed for the new place with the owner's key
            fresh.sealer.seal(subject, "health_records", "value", "r1", SYMPTOM, scope=scope)
    finally:
        fresh.close()


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
