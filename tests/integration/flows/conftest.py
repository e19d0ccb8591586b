"""What the conversations' tests share: the running stack's vault, opened once per module, and a
fresh conversation over REST for each test."""

import pytest

from harness.clients import Chat


@pytest.fixture(scope="module")
def vault(stack):
    opened = stack.vault()
    yield opened
    opened.close()


@pytest.fixture
def chat(stack):
    return Chat(stack)
