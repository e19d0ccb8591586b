"""Starting the project's real servers as subprocesses for tests and benchmarks."""

from __future__ import annotations

import base64
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import requests

from channels.rasa_api_auth import api_headers

if TYPE_CHECKING:
    from runtime.redis_server import RedisServer

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# `make test-production` runs the suite against the production profile (conftest.py's stack).
PRODUCTION = os.environ.get("HEALTHTIGO_PROFILE") == "production"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def server_environment(env_file: Path, **overrides: str) -> dict[str, str]:
    """Environment for the servers: fresh secrets, free ports and a vault of its own
    (SQLite files beside `env_file` unless DATABASE_URL/KEYSTORE_URL are given); no developer .env."""
    env_file.write_text("")
    env = dict(os.environ)
    env.update(
        ENV_FILE=str(env_file),
        DATABASE_URL=f"sqlite:///{env_file.parent / 'vault.db'}",
        KEYSTORE_URL=f"sqlite:///{env_file.parent / 'keystore.db'}",
        VAULT_KEYS=f"kek-test-1:{_key()}",
        VAULT_INDEX_KEY=_key(),
        VAULT_AUDIT_KEY=_key(),
        BIND_HOST="127.0.0.1",
        RASA_PORT=str(free_port()),
        ACTION_SERVER_PORT=str(free_port()),
        CONSOLE_PORT=str(free_port()),
        ACTION_SERVER_TOKEN=secrets.token_urlsafe(24),
        IDENTITY_SEAL_KEY=secrets.token_urlsafe(24),
        RASA_API_TOKEN=secrets.token_urlsafe(24),
        REST_CLIENT_TOKEN=secrets.token_urlsafe(24),
        # Every test client shares 127.0.0.1, and a scripted REST conversation sends its next
        # message as soon as it has the answer: the address has no limit, a REST sender a high one.
        ADDRESS_RATE_LIMIT_BURST="1000000",
        ADDRESS_RATE_LIMIT_PER_MINUTE="1000000",
        REST_RATE_LIMIT_BURST="40",
        REST_RATE_LIMIT_PER_MINUTE="240",
        WIDGET_SECRET=secrets.token_urlsafe(24),
        TWILIO_AUTH_TOKEN=secrets.token_hex(16),
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


@dataclass
class Process:
    """A server subprocess whose output goes to a log file."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    ready_url: str
    popen: subprocess.Popen | None = field(default=None, repr=False)

    def start(self, timeout: float = 180) -> "Process":
        return self.launch().wait_ready(timeout)

    def launch(self) -> "Process":
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(self.argv, cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, timeout: float = 180) -> "Process":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start:\n{self.log_path.read_text()[-3000:]}")
            try:
                if requests.get(self.ready_url, timeout=2).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"{self.name} not ready after {timeout}s:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class Group:
    """Replicas of one server, started, stopped and read as one."""

    members: list[Process]

    def start(self) -> "Group":
        for member in self.members:
            member.launch()
        for member in self.members:
            member.wait_ready()
        return self

    def stop(self) -> None:
        for member in self.members:
            member.stop()

    def log(self) -> str:
        return "".join(member.log() for member in self.members)


def _process(server, log_dir: Path) -> Process:
    return Process(server.name, list(server.argv), dict(server.env), log_dir / f"{server.name}.log", server.ready_url)


@dataclass
class Stack:
    """The rasa server, the action server and the staff console, started together; in the
    production profile, two of each server behind nginx (`balancer`)."""

    env: dict[str, str]
    actions: Process | Group
    rasa: Process | Group
    console: Process
    balancer: Process | None = None
    redis: RedisServer | None = None

    @classmethod
    def create(cls, env: dict[str, str], log_dir: Path) -> "Stack":
        from runtime.launch import single

        actions, rasa, console = (_process(server, log_dir) for server in single(env))
        return cls(env, actions, rasa, console)

    @classmethod
    def replicated(cls, env: dict[str, str], log_dir: Path, replicas: int = 2) -> "Stack":
        """The production profile: `env` must name the PostgreSQL roles and databases (harness/databases.py's
        `production_roles`); its own Redis gets a free port and a fresh password."""
        from runtime import production
        from runtime.redis_server import RedisServer

        ports = {
            name: " ".join(str(free_port()) for _ in range(replicas)) for name in ("RASA_PORTS", "ACTION_SERVER_PORTS")
        }
        ports.update(PUBLIC_PORT=str(free_port()), ACTION_BALANCER_PORT=str(free_port()), REDIS_PORT=str(free_port()))
        env = production.environment({**env, **ports, "REDIS_PASSWORD": secrets.token_urlsafe(24)})
        run_dir = log_dir / "nginx"
        production.write_nginx_config(env, run_dir)
        processes = [_process(server, log_dir) for server in production.servers(env, run_dir)]
        named = lambda prefix: [p for p in processes if p.name.startswith(prefix)]  # noqa: E731
        parts = Group(named("actions")), Group(named("rasa")), *named("console"), *named("nginx")
        return cls(env, *parts, redis=RedisServer(env, run_dir))

    def start(self) -> "Stack":
        """Start every part; in the production profile after its preflight (the roles and databases)."""
        if self.redis:
            from runtime import production

            production.preflight(self.env)
        migrate_vault(self.env)
        try:
            for part in (self.redis, self.actions, self.rasa, self.console, self.balancer):
                if part:
                    part.start()
        except Exception:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for part in (self.balancer, self.console, self.rasa, self.actions, self.redis):
            if part:
                part.stop()

    @property
    def base_url(self) -> str:
        """Where patients reach the rasa server(s): nginx's public listener in the production profile."""
        return f"http://127.0.0.1:{self.env.get('PUBLIC_PORT') or self.env['RASA_PORT']}"

    @property
    def api_url(self) -> str:
        """Where Rasa's HTTP API is reached: nginx's internal listener in the production profile."""
        return self.env.get("RASA_URL") or f"http://127.0.0.1:{self.env['RASA_PORT']}"

    def api_headers(self) -> dict[str, str]:
        return api_headers(self.env["RASA_API_TOKEN"], "test")

    @property
    def replica_urls(self) -> list[str]:
        """Each rasa server's own address."""
        ports = self.env.get("RASA_PORTS", self.env["RASA_PORT"]).split()
        return [f"http://127.0.0.1:{port}" for port in ports]

    @property
    def rest_url(self) -> str:
        return f"{self.base_url}/webhooks/rest/webhook"

    @property
    def action_url(self) -> str:
        """The action server's address (in the production profile: one of the replicas)."""
        port = self.env.get("ACTION_SERVER_PORTS", self.env["ACTION_SERVER_PORT"]).split()[0]
        return f"http://127.0.0.1:{port}"

    @property
    def rest_headers(self) -> dict[str, str]:
        """What a REST client sends to be served: the client token."""
        return {"Authorization": f"Bearer {self.env['REST_CLIENT_TOKEN']}"}

    def say(self, sender: str, text: str) -> list[dict]:
        """Send one message over the REST channel; return the bot's replies."""
        reply = requests.post(
            self.rest_url, json={"sender": sender, "message": text}, headers=self.rest_headers, timeout=60
        )
        reply.raise_for_status()
        return reply.json()

    def vault(self):
        """The stack's vault, opened from this test process as the tables' owner (in the production
        profile the migration role, so that a test may take a table away for a while)."""
        from privacy import Vault
        from privacy.config import VaultConfig

        return Vault(VaultConfig.from_env(self.env, owner=True))

    def ready(self) -> requests.Response:
        return requests.get(f"{self.base_url}/webhooks/health/ready", timeout=30)

    @property
    def console_url(self) -> str:
        return f"http://127.0.0.1:{self.env['CONSOLE_PORT']}"

    def logs(self) -> str:
        """Every server's output; with nginx, also every file it wrote (access log, temporary files)."""
        written = self.balancer.log_path.parent / "nginx" if self.balancer else None
        files = [path for path in written.rglob("*") if path.is_file() and path.suffix != ".conf"] if written else []
        return "".join(part.log() for part in (self.actions, self.rasa, self.console, self.balancer) if part) + "".join(
            path.read_text(errors="replace") for path in files
        )

    def tracker(self, sender: str) -> dict:
        """The conversation's tracker, read through the token-protected HTTP API."""
        reply = requests.get(f"{self.api_url}/conversations/{sender}/tracker", headers=self.api_headers(), timeout=30)
        reply.raise_for_status()
        return reply.json()


def migrate_vault(env: dict[str, str]) -> None:
    """Create or upgrade the vault's databases named by `env`."""
    subprocess.run(
        [sys.executable, "-m", "privacy", "migrate"], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True
    )


def ensure_model() -> Path:
    """Train (once per set of inputs) in a subprocess; return the model's path."""
    done = subprocess.run([sys.executable, "-m", "runtime.train"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"training failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return Path(done.stdout.strip().splitlines()[-1])
