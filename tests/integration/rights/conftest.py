"""The rights' tests run on a new vault (SQLite and PostgreSQL) with a clock the tests move."""

import pytest


@pytest.fixture
def vault(clocked_vault):
    return clocked_vault
