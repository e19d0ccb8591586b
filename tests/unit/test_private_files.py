"""Secrets and least privilege (docs/security.md, item 15): the .env file, the vault's SQLite files,
backups and research exports are created with mode 0600 by the call that creates them, under the
usual umask, and never made so afterwards (the kernel reports every change of a file's mode)."""

import base64
import os
import stat

import pytest

from harness.file_events import attribute_changes
from privacy import cli
from runtime.envfile import ensure_env_file


@pytest.fixture
def usual_umask():
    """umask 022, under which a file created without a mode of its own is readable by everyone."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_sqlite_files_backups_and_the_env_file_are_created_private(tmp_path, usual_umask, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'vault.db'}")
    monkeypatch.setenv("KEYSTORE_URL", f"sqlite:///{tmp_path / 'keystore.db'}")
    monkeypatch.setenv("VAULT_KEYS", f"kek-test-1:{base64.b64encode(os.urandom(32)).decode()}")
    monkeypatch.setenv("VAULT_INDEX_KEY", base64.b64encode(os.urandom(32)).decode())
    monkeypatch.setenv("VAULT_AUDIT_KEY", base64.b64encode(os.urandom(32)).decode())
    with attribute_changes(tmp_path) as changed:
        ensure_env_file(tmp_path / ".env")
        cli.main(["migrate", "--as", "test"])
        cli.main(["backup", str(tmp_path / "backup.jsonl"), "--as", "test"])
        cli.main(["research-export", str(tmp_path / "research.json"), "--as", "test"])
    created = {".env", "vault.db", "keystore.db", "backup.jsonl", "research.json"}
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in tmp_path.iterdir()}
    assert created <= set(modes)
    assert modes == dict.fromkeys(modes, 0o600)  # the write-ahead log and its shared memory too
    assert not created & set(changed)
