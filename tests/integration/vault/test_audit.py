"""The vault's audit chain, on SQLite and PostgreSQL: concurrent appends keep one chain, and verify
finds a removed checkpoint, an edited, deleted, reordered or truncated entry, and a chain rebuilt
with the index key."""

import threading

import pytest
from sqlalchemy import text

from harness.tampering import rebuild_chain
from privacy import Vault
from privacy.compliance.audit import APPEND_LOCK


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


def test_the_audit_chain_cannot_be_rebuilt_with_the_index_key(vault, vault_config):
    for n in range(5):
        vault.audit.append("system", "test.append", reason=f"entry {n + 1}")
    with vault.data.begin() as db:
        db.execute(text("UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 3"))
    rebuild_chain(vault, vault_config.index_key, start=3)  # and the checkpoint moved to match
    verdict = vault.audit.verify()
    assert not verdict.ok and "changed" in verdict.problem and verdict.first_bad == 3
    rebuild_chain(vault, vault_config.audit_key, start=3)  # the same forgery, with the audit key
    assert vault.audit.verify().ok


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
