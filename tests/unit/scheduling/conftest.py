"""The scheduling actions' tests run against a new SQLite vault of their own, with one registered
patient."""

import pytest

from harness.actions import actions_vault, patient


@pytest.fixture
def vault(tmp_path):
    with actions_vault(tmp_path) as opened:
        yield opened


@pytest.fixture
def subject(vault):
    return patient(vault)
