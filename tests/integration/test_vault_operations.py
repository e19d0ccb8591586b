"""Migrations, backup and restore, and the vault's command line."""

import os
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from harness.databases import fresh_data_url
from harness.servers import PROJECT_ROOT
from privacy import Vault, backup
from privacy.errors import InvalidInput
from privacy.store import migrate, schema
from privacy.store.db import make_engine


def test_migrations_go_from_empty_to_head_and_match_the_model(vault_config):
    for part, url, metadata in (
        ("data", vault_config.database_url, schema.data),
        ("keys", vault_config.keystore_url, schema.keys),
    ):
        engine = make_engine(url)
        assert migrate.current(engine) is None
        migrate.upgrade(part, engine)
        assert migrate.current(engine) == migrate.head(part, url)
        with engine.connect() as db:
            differences = compare_metadata(MigrationContext.configure(db, opts={"compare_type": True}), metadata)
        assert differences == []
        engine.dispose()


def person(vault, name, phone):
    return vault.patients.register(name, date(1970, 5, 6), phone=phone, actor="staff:test", reason="test")


def test_a_restored_backup_brings_everyone_back_except_the_erased(vault, vault_config, tmp_path):
    kept, erased = person(vault, "Kept Person", "2145550101"), person(vault, "Erased Person", "2145550102")
    vault.records.put(erased.subject_id, "symptom", "a rash", actor="patient", reason="intake")
    vault.records.put(kept.subject_id, "allergy", "latex", actor="patient", reason="intake")
    vault.conversations.save("web-kept", [{"event": "user", "text": "hello", "timestamp": 1.0}])
    vault.conversations.link_patient("web-kept", kept.subject_id)
    file = tmp_path / "backup.jsonl"
    backup.backup(vault, file)
    assert b"Kept Person" not in file.read_bytes() and b"latex" not in file.read_bytes()
    vault.subjects.erase(erased.subject_id, actor="privacy_officer:test", reason="deletion request")
    with fresh_data_url(vault_config.database_url, tmp_path / "restored") as restored_url:
        restored = Vault(replace(vault_config, database_url=restored_url), upgrade=True)
        try:
            report = backup.restore(restored, file)
            assert report.erased_subjects_removed >= 1
            assert restored.patients.get(kept.id, actor="t", reason="t").name == "Kept Person"
            assert [r.value for r in restored.records.list(kept.subject_id, actor="t", reason="t")] == ["latex"]
            assert restored.conversations.load("web-kept")[0]["text"] == "hello"
            assert restored.patients.find(phone="2145550102") is None
            assert restored.records.list(erased.subject_id, actor="t", reason="t") == []
            verdict = restored.audit.verify()
            assert verdict.ok, verdict
            with pytest.raises(InvalidInput, match="empty"):
                backup.restore(restored, file)
        finally:
            restored.close()


def run_cli(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "privacy", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_command_line_migrates_rotates_retires_verifies_and_reports(tmp_path):
    env_file = tmp_path / ".env"
    subprocess.run([sys.executable, "-m", "runtime.envfile", str(env_file)], cwd=PROJECT_ROOT, check=True)
    env = dict(
        os.environ,
        ENV_FILE=str(env_file),
        DATABASE_URL=f"sqlite:///{tmp_path / 'v.db'}",
        KEYSTORE_URL=f"sqlite:///{tmp_path / 'k.db'}",
    )
    for name in ("VAULT_KEYS", "VAULT_INDEX_KEY", "VAULT_AUDIT_KEY"):
        env.pop(name, None)
    behind = run_cli(env, "status")
    assert behind.returncode != 0 and "python -m privacy migrate" in behind.stderr
    assert "Traceback" not in behind.stderr
    assert run_cli(env, "migrate").returncode == 0
    old_key = env_file.read_text().split("VAULT_KEYS=")[1].split(":")[0]
    rotated = run_cli(env, "rotate-keys", "--new-key")
    assert rotated.returncode == 0 and "it is now the active key" in rotated.stdout
    retired = run_cli(env, "retire-key", old_key)
    assert retired.returncode == 0, retired.stderr
    assert old_key not in env_file.read_text()
    status = run_cli(env, "status")
    assert re.search(r"audit chain intact: [3-9] entries", status.stdout), status.stdout
    assert run_cli(env, "verify-audit").returncode == 0
    bad = run_cli(dict(env, VAULT_KEYS="nonsense"), "status")
    assert bad.returncode != 0 and bad.stderr.startswith("error: ") and "Traceback" not in bad.stderr
