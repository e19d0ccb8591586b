"""What the console's tests share: the running stack's vault, and an agent and a privacy officer logged
in once per module."""

import pytest

from harness.staff import Console, add_staff


@pytest.fixture(scope="module")
def vault(stack):
    opened = stack.vault()
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def agent(stack):
    name, _ = add_staff(stack, "agent")
    console = Console(stack)
    assert console.log_in(name).headers["Location"] == "/"
    console.get("/queue")  # a page that holds the session's CSRF token, for the first form posted
    console.name = name
    return console


@pytest.fixture(scope="module")
def officer(stack):
    name, secret = add_staff(stack, "privacy_officer")
    console = Console(stack)
    assert console.log_in(name, secret=secret).headers["Location"] == "/"
    console.get("/privacy/requests")  # a page that holds the session's CSRF token
    return console
