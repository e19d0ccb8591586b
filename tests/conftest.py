"""Shared fixtures: one trained model and one running stack (rasa + action server + console) per
test session.

HEALTHTIGO_PROFILE=production (`make test-production`) runs the tests that use the stack against
the production profile: two rasa and two action servers behind nginx, on PostgreSQL and Redis.
The others do not depend on the profile and ran in `make test`."""

from __future__ import annotations

import os
import secrets
import uuid
from pathlib import Path

# The suite never reads a developer's .env: every server gets its own settings.
os.environ["ENV_FILE"] = os.devnull
# Actions run in the test process (harness/actions.py) seal the verified patient as the action server does.
os.environ["IDENTITY_SEAL_KEY"] = secrets.token_urlsafe(24)

import pytest  # noqa: E402

from harness.clients import SMS_PUBLIC_URL, Phone  # noqa: E402
from harness.clock import Clock  # noqa: E402
from harness.databases import postgres_available, production_roles, vault_urls  # noqa: E402
from harness.servers import PRODUCTION, Stack, ensure_model, server_environment  # noqa: E402
from harness.twilio_standin import TwilioStandIn  # noqa: E402
from privacy import Vault  # noqa: E402
from privacy.config import VaultConfig  # noqa: E402

REPORTS = Path(__file__).resolve().parents[1] / "var" / "reports"


def pytest_collection_modifyitems(config, items):
    if not PRODUCTION:
        return
    same_in_both = [item for item in items if "stack" not in item.fixturenames]
    if same_in_both:
        config.hook.pytest_deselected(items=same_in_both)
        items[:] = [item for item in items if "stack" in item.fixturenames]


@pytest.fixture(scope="session")
def model() -> Path:
    return ensure_model()


@pytest.fixture(scope="session")
def twilio() -> TwilioStandIn:
    """Twilio's REST API, played by a local server; the stack's SMS replies arrive here."""
    standin = TwilioStandIn(auth_token=secrets.token_hex(16)).start()
    yield standin
    standin.stop()


@pytest.fixture(scope="session")
def stack(model, twilio, tmp_path_factory) -> Stack:
    logs = tmp_path_factory.mktemp("stack")
    # DEBUG, for Rasa and for the libraries it configures (Sanic's access log among them): the logs
    # searched for patient data are the most talkative the servers write.
    env = server_environment(
        logs / "test.env",
        LOG_LEVEL="DEBUG",
        LOG_LEVEL_LIBRARIES="DEBUG",
        TWILIO_AUTH_TOKEN=twilio.auth_token,
        TWILIO_ACCOUNT_SID=twilio.account_sid,
        TWILIO_FROM_NUMBER=twilio.from_number,
        TWILIO_API_URL=twilio.url,
        # Twilio signs the public address, which a proxy in front makes differ from the server's own.
        SMS_WEBHOOK_URL=SMS_PUBLIC_URL,
    )
    if not PRODUCTION:
        running = Stack.create(env, logs).start()
        yield running
        running.stop()
        return
    missing = postgres_available()
    if missing:
        pytest.exit(f"The production profile cannot start: {missing}", returncode=1)
    with production_roles() as databases:
        running = Stack.replicated({**env, **databases}, logs).start()
        yield running
        running.stop()


@pytest.fixture(scope="module")
def stack_vault(stack) -> Vault:
    """The running stack's vault, opened from this test process."""
    opened = stack.vault()
    yield opened
    opened.close()


@pytest.fixture
def phone(stack, twilio) -> Phone:
    """A phone no other test texts from, texting the running stack."""
    return Phone(stack, twilio)


@pytest.fixture(params=["sqlite", "postgresql"])
def vault_config(request, tmp_path) -> VaultConfig:
    """Settings of a new vault (empty databases, fresh keys) on each database kind."""
    with vault_urls(request.param, tmp_path) as (data_url, keys_url):
        yield VaultConfig(data_url, keys_url, {"kek-test-1": os.urandom(32)}, os.urandom(32), os.urandom(32))


@pytest.fixture
def vault(vault_config) -> Vault:
    opened = Vault(vault_config, upgrade=True)
    yield opened
    opened.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def clocked_vault(vault_config, clock) -> Vault:
    """A new vault whose time is `clock`, which the test moves."""
    opened = Vault(vault_config, clock=clock, upgrade=True)
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
