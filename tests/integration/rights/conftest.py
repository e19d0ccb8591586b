"""The rights' tests run on a new vault (SQLite and PostgreSQL) with a clock the tests move."""

import pytest

from harness.clock import Clock
from privacy import Vault


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def vault(vault_config, clock):
    opened = Vault(vault_config, clock=clock, upgrade=True)
    yield opened
    opened.close()
