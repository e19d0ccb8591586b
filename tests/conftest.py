"""Shared fixtures: one trained model and one running stack (rasa + action server) per test session."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

# The suite never reads a developer's .env: every server gets its own settings.
os.environ["ENV_FILE"] = os.devnull

import pytest  # noqa: E402

from privacy import Vault  # noqa: E402
from privacy.config import VaultConfig  # noqa: E402
from tests.support.databases import vault_urls  # noqa: E402
from tests.support.servers import Stack, ensure_model, server_environment  # noqa: E402

REPORTS = Path(__file__).resolve().parents[1] / "var" / "reports"


@pytest.fixture(scope="session")
def model() -> Path:
    return ensure_model()


@pytest.fixture(scope="session")
def stack(model, tmp_path_factory) -> Stack:
    logs = tmp_path_factory.mktemp("stack")
    # DEBUG: the logs searched for patient data are the most talkative Rasa writes.
    running = Stack.create(server_environment(logs / "test.env", LOG_LEVEL="DEBUG"), logs).start()
    yield running
    running.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def vault_config(request, tmp_path) -> VaultConfig:
    """Settings of a new vault (empty databases, fresh keys) on each database kind."""
    with vault_urls(request.param, tmp_path) as (data_url, keys_url):
        yield VaultConfig(data_url, keys_url, {"kek-test-1": os.urandom(32)}, os.urandom(32))


@pytest.fixture
def vault(vault_config) -> Vault:
    opened = Vault(vault_config, upgrade=True)
    yield opened
    opened.close()


@pytest.fixture
def sender() -> str:
    """A fresh conversation id for each test."""
    return f"test-{uuid.uuid4().hex}"


_written: list[Path] = []


@pytest.fixture(scope="session")
def write_report():
    """Write a report under var/reports/; it is also shown at the end of the run."""

    def write(name: str, text: str) -> Path:
        REPORTS.mkdir(parents=True, exist_ok=True)
        path = REPORTS / f"{name}.txt"
        path.write_text(text)
        _written.append(path)
        return path

    return write


def pytest_terminal_summary(terminalreporter):
    for path in _written:
        terminalreporter.write_sep("-", path.stem)
        terminalreporter.write_line(path.read_text())
