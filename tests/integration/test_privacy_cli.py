"""The privacy officer's command line, against a real vault; every command leaves an audit entry."""

import json
import re
import subprocess
import sys
from datetime import date

import pytest

from harness.rights import downloaded
from harness.servers import PROJECT_ROOT, migrate_vault, server_environment
from privacy import Vault
from privacy.config import VaultConfig


@pytest.fixture
def officer(tmp_path):
    """Run `python -m privacy ...` as privacy officer ida against a fresh vault; also open it here."""
    env = server_environment(tmp_path / "test.env")
    migrate_vault(env)
    vault = Vault(VaultConfig.from_env(env))

    def run(*args, ok=True):
        done = subprocess.run(
            [sys.executable, "-m", "privacy", *args, "--as", "ida"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert (done.returncode == 0) == ok, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        return done.stdout + done.stderr

    yield run, vault
    vault.close()


def audited(vault, action):
    return [e for e in vault.audit.entries(limit=1000) if e["action"] == action and e["actor"] == "privacy_officer:ida"]


def test_the_officer_works_the_queue_from_the_command_line(officer, tmp_path):
    run, vault = officer
    person = vault.patients.register(
        "Zebulon Quartermaine", date(1961, 3, 14), phone="214-555-0147", actor="staff:front-desk", reason="registration"
    )
    vault.consent.grant(person.subject_id, "marketing", channel="web", wording="Send me offers.")
    access = vault.rights.open(person.subject_id, "access", channel="web").request
    deletion = vault.rights.open(person.subject_id, "deletion", channel="web").request

    listing = run("requests", "list")
    assert access.id in listing and deletion.id in listing and "2 request(s)" in listing
    assert audited(vault, "officer.list_requests")
    assert "received" in run("requests", "show", access.id) and audited(vault, "officer.view_request")
    refused = run("requests", "approve", access.id, ok=False)
    assert refused.startswith("error: ") and "identity must be verified" in refused
    approved = run("requests", "approve", access.id, "--verified-in-person", "driver's license at the front desk")
    token = re.search(r"token \(valid until [\d-]+[T ][\d:]+ UTC\): (\S+)", approved).group(1)
    assert json.loads(downloaded(vault, token, person.subject_id))["summary"]["consent"]["marketing"] is True
    assert audited(vault, "rights.completed")
    assert "denied" in run("requests", "deny", deletion.id, "--reason", "We could not confirm who you are.")
    assert "0 request(s)" in run("requests", "list")
    assert run("requests", "show", "R-NOPE", ok=False).startswith("error: No request R-NOPE")

    ledger = run("consent", "show", person.subject_id)
    assert "marketing" in ledger and "Send me offers." in ledger and audited(vault, "officer.view_consent")
    assert "download link token" in run("export", person.subject_id)
    assert "7 years after the last treatment" in run("retention", "rules") and audited(vault, "officer.view_retention")
    assert "would erase" in run("retention", "sweep", "--dry-run")
    assert [e for e in vault.audit.entries(limit=1000) if e["action"] == "retention.dry_run"]
    assert "0 of 0 consenting people released" in run("research-export", str(tmp_path / "research.json"))
    assert audited(vault, "research.export")
    assert "audit chain intact" in run("verify-audit") and audited(vault, "audit.verify")
