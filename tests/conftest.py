"""Shared fixtures: one trained model and one running stack (rasa + action server) per test session."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.support.servers import Stack, ensure_model, server_environment

REPORTS = Path(__file__).resolve().parents[1] / "var" / "reports"


@pytest.fixture(scope="session")
def model() -> Path:
    return ensure_model()


@pytest.fixture(scope="session")
def stack(model, tmp_path_factory) -> Stack:
    logs = tmp_path_factory.mktemp("stack")
    running = Stack.create(server_environment(logs / "test.env"), logs).start()
    yield running
    running.stop()


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
