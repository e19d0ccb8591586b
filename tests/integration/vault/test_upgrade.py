"""A vault made before the audit key and the subject-bound wrapping of data keys, on SQLite and
PostgreSQL: it opens, verifies and is upgraded, and from then on neither its older entries nor
its keys can be rebuilt or moved; its keys open by their version and `rotate-keys` re-wraps them;
a backup it made restores into the upgraded vault."""

import uuid
from dataclasses import replace

import pytest
from alembic import command
from sqlalchemy import select, text, update

from harness.canary import CANARY, register
from harness.databases import fresh_data_url
from harness.tampering import rebuild_chain
from privacy import Vault, backup
from privacy.crypto.keyring import KeyRing
from privacy.errors import TamperedError
from privacy.store import migrate
from privacy.store.db import make_engine
from privacy.store.schema import data_keys

BEFORE = "keys0003"  # the key store's schema before the audit key and the subject-bound wrapping


def made_by_the_old_code(vault, config) -> None:
    """Turn `vault` into what the code before wrote: the key store at BEFORE, every data key wrapped
    with its id and version only, the whole audit chain hashed with the index key."""
    keys = {key_id: vault.keystore.get(uuid.UUID(key_id)) for (key_id,) in _key_ids(vault)}
    alembic = migrate.alembic_config("keys", config.keystore_url)
    with vault.keys.begin() as connection:
        alembic.attributes["connection"] = connection
        command.downgrade(alembic, BEFORE)
    ring = KeyRing(config.key_ring)
    with vault.keys.begin() as db:
        for key_id, data_key in keys.items():
            kek_id, wrapped = ring.wrap(data_key.key, f"data_keys|{key_id}|{data_key.version}".encode())
            db.execute(update(data_keys).where(data_keys.c.id == key_id).values(kek_id=kek_id, wrapped=wrapped))
    rebuild_chain(vault, config.index_key)


def _key_ids(vault):
    with vault.keys.connect() as db:
        return db.execute(select(data_keys.c.id)).all()


def test_a_vault_made_before_the_audit_key_opens_verifies_and_is_upgraded(vault, vault_config):
    moved, kept = register(vault), register(vault, email="kept@example.org", phone="2145550199")
    for n in range(3):
        vault.audit.append("system", "test.append", reason=f"entry {n + 1}")
    made_by_the_old_code(vault, vault_config)
    vault.close()
    upgraded = Vault(vault_config, upgrade=True)
    try:
        assert upgraded.audit.verify().ok
        assert upgraded.patients.get(kept.id, actor="t", reason="t").email == "kept@example.org"
        upgraded.audit.append("system", "test.after the upgrade")
        assert upgraded.audit.verify().ok
        with upgraded.keys.begin() as db:  # every key was re-wrapped with its subject and scope
            db.execute(
                update(data_keys).where(data_keys.c.subject_id == moved.subject_id).values(subject_id="elsewhere")
            )
        with upgraded.data.begin() as db:  # an entry made before the upgrade, changed and rebuilt
            db.execute(text("UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 2"))
        rebuild_chain(upgraded, vault_config.index_key, start=2)
        verdict = upgraded.audit.verify()
        assert not verdict.ok and "changed" in verdict.problem
    finally:
        upgraded.close()
    fresh = Vault(vault_config)
    try:
        with pytest.raises(TamperedError, match="moved"):
            fresh.patients.get(moved.id, actor="t", reason="t")
        with fresh.keys.begin() as db:  # a row's wrapping set back to the old associated data
            db.execute(update(data_keys).where(data_keys.c.subject_id == kept.subject_id).values(aad_version=1))
        with pytest.raises(TamperedError):
            fresh.patients.get(kept.id, actor="t", reason="t")
    finally:
        fresh.close()


def test_a_backup_made_before_the_audit_key_restores_into_the_upgraded_vault(vault, vault_config, tmp_path):
    for n in range(3):
        vault.audit.append("system", "test.append", reason=f"entry {n + 1}")
    made_by_the_old_code(vault, vault_config)
    backup.backup(vault, tmp_path / "backup.jsonl")
    rebuild_chain(vault, vault_config.index_key)  # the backup's own entry, as the old code hashed it
    vault.close()
    upgraded = Vault(vault_config, upgrade=True)
    upgraded.audit.append("system", "test.after the upgrade")
    upgraded.close()
    with fresh_data_url(vault_config.database_url, tmp_path / "restored") as restored_url:
        restored = Vault(replace(vault_config, database_url=restored_url), upgrade=True)
        try:
            backup.restore(restored, tmp_path / "backup.jsonl")  # older than the audit key's start
            restored.audit.append("system", "test.after the restore")
            verdict = restored.audit.verify()
            assert verdict.ok and verdict.entries == 5, verdict
        finally:
            restored.close()


def test_keys_wrapped_before_open_by_their_version_and_rotation_rewraps_them(vault, vault_config):
    moved = register(vault)
    made_by_the_old_code(vault, vault_config)
    vault.close()
    keys = make_engine(vault_config.keystore_url, key_store=True)
    migrate.upgrade("keys", keys)  # the schema only: the rows keep the old associated data
    keys.dispose()
    opened = Vault(vault_config)
    try:
        assert opened.patients.get(moved.id, actor="t", reason="t").email == CANARY["email"]
        assert opened.keystore.outdated() == 2 and opened.keystore.rewrap() == 2
        assert opened.keystore.outdated() == 0
        with opened.keys.begin() as db:
            db.execute(
                update(data_keys).where(data_keys.c.subject_id == moved.subject_id).values(subject_id="elsewhere")
            )
    finally:
        opened.close()
    fresh = Vault(vault_config)
    try:
        with pytest.raises(TamperedError, match="moved"):
            fresh.patients.get(moved.id, actor="t", reason="t")
    finally:
        fresh.close()
