"""`make run-production`: the assistant as several replicas on PostgreSQL and Redis behind nginx.

Starts, as one process group: two action servers, two rasa servers, the staff console
and nginx in front (runtime/nginx.conf.template). Any rasa replica can handle
any conversation: the conversations live in the vault on PostgreSQL, Redis holds the
lock that lets one replica at a time handle a conversation (bot/plugins/lock_store.py) and
carries the widget's messages between replicas. Before starting anything it checks that
PostgreSQL, redis-server and nginx are there and the passwords set (saying what is missing),
creates the PostgreSQL roles and databases (runtime/database_roles.py), refuses an application
role that is a superuser or may change the schema, runs the vault's migrations once as the
migration role, and starts its own Redis, which requires REDIS_PASSWORD (runtime/redis_server.py).
The processes run as the application role; the replicas only check that the schema is current.
It prints the URLs once every process answers its readiness check.

Settings come from the environment (and .env); DEFAULTS fill in what is not set, for
this machine's PostgreSQL. .env.example documents them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from string import Template
from typing import Mapping

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

import settings
from runtime import database_roles, redis_server
from runtime.launch import Server, banner, run, without_action_secrets

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
RUN_DIR = settings.VAR / "production"


class NginxTemplate(Template):
    delimiter = "@"  # nginx's own variables start with "$"


# PostgreSQL connections: 5 processes x 2 pools x 8 = 80 of max_connections 100 (.env.example).
DEFAULTS = {
    # The processes' role (the application role); migrations run as MIGRATION_ROLE. The passwords
    # (DATABASE_PASSWORD, MIGRATION_PASSWORD, REDIS_PASSWORD) have no default: .env holds them.
    "DATABASE_URL": "postgresql://healthtigo_app@127.0.0.1:5432/healthtigo",
    "KEYSTORE_URL": "postgresql://healthtigo_app@127.0.0.1:5432/healthtigo_keys",
    "MIGRATION_ROLE": "healthtigo_migrate",
    # Who creates the roles and databases: this machine's superuser. Never given to the processes.
    "POSTGRES_ADMIN_URL": "postgresql://postgres@127.0.0.1:5432/postgres",
    # The profile's own redis-server (the machine's Redis is left alone).
    "REDIS_PORT": "6380",
    "PUBLIC_PORT": "8080",
    "RASA_PORTS": "5005 5006",
    "ACTION_SERVER_PORTS": "5055 5056",
    "ACTION_BALANCER_PORT": "5054",
    # nginx's loopback-only listener for Rasa's HTTP API (the staff console); the public one has none.
    "INTERNAL_PORT": "5053",
    # How long a dead replica's hold on a conversation lasts (Rasa reads it; default 60 s).
    "TICKET_LOCK_LIFETIME": "30",
}
# What only the set-up before the processes uses: the processes are given none of it.
SET_UP_ONLY = ("POSTGRES_ADMIN_URL", "MIGRATION_ROLE", "MIGRATION_PASSWORD")


def environment(base: Mapping[str, str]) -> dict[str, str]:
    """The profile's environment: `base`, DEFAULTS where `base` says nothing, and the addresses
    that follow from the ports (the processes get it less SET_UP_ONLY)."""
    env = {**DEFAULTS, **{name: value for name, value in base.items() if value}}
    host = env.get("BIND_HOST", "127.0.0.1")
    public = f"http://{host}:{env['PUBLIC_PORT']}"
    env.setdefault("PUBLIC_URL", public)
    env.setdefault("CORS_ORIGINS", f"{public} http://localhost:{env['PUBLIC_PORT']}")
    env["RASA_URL"] = f"http://127.0.0.1:{env['INTERNAL_PORT']}"
    env["ACTION_SERVER_URL"] = f"http://{host}:{env['ACTION_BALANCER_PORT']}/webhook"
    env["REDIS_URL"] = f"redis://127.0.0.1:{env['REDIS_PORT']}/0"
    return env


def process_environment(env: Mapping[str, str]) -> dict[str, str]:
    """`env` as the processes get it: without SET_UP_ONLY, and with no env file read again (it
    would give the migration role's password back)."""
    return {**{name: value for name, value in env.items() if name not in SET_UP_ONLY}, "ENV_FILE": os.devnull}


def nginx_binary() -> str | None:
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")


def write_nginx_config(env: Mapping[str, str], run_dir: Path) -> Path:
    """Render the nginx configuration for `env` into `run_dir`; returns its path."""
    host = env.get("BIND_HOST", "127.0.0.1")

    def servers(ports: str) -> str:
        # max_fails=0: a replica is never set aside. On one host a stopped replica refuses the
        # connection at once (nginx then tries the next), and one that is back is used at once.
        return "\n".join(f"        server {host}:{port} max_fails=0;" for port in ports.split())

    for part in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run_dir / "tmp" / part).mkdir(parents=True, exist_ok=True)
    config = run_dir / "nginx.conf"
    config.write_text(
        NginxTemplate(TEMPLATE.read_text()).substitute(
            HOST=host,
            PUBLIC_PORT=env["PUBLIC_PORT"],
            ACTION_BALANCER_PORT=env["ACTION_BALANCER_PORT"],
            INTERNAL_PORT=env["INTERNAL_PORT"],
            REQUEST_MAX_SIZE=env.get("REQUEST_MAX_SIZE", str(settings.REQUEST_MAX_SIZE)),
            RASA_SERVERS=servers(env["RASA_PORTS"]),
            ACTION_SERVERS=servers(env["ACTION_SERVER_PORTS"]),
        )
    )
    return config


def servers(env: Mapping[str, str], run_dir: Path) -> list[Server]:
    """Every process of the profile, with its own port and readiness URL."""
    host, python, env = env.get("BIND_HOST", "127.0.0.1"), sys.executable, process_environment(env)
    found = [
        Server(
            f"actions-{n}",
            [python, "-m", "runtime.action_server"],
            {**env, "ACTION_SERVER_PORT": port},
            f"http://{host}:{port}/ready",
        )
        for n, port in enumerate(env["ACTION_SERVER_PORTS"].split(), 1)
    ] + [
        Server(
            f"rasa-{n}",
            [python, "-m", "runtime.serve"],
            {**without_action_secrets(env), "RASA_PORT": port, "TRUSTED_PROXIES": "1"},  # nginx, in front of each
            f"http://{host}:{port}/webhooks/health/ready",
        )
        for n, port in enumerate(env["RASA_PORTS"].split(), 1)
    ]
    console_port = env.get("CONSOLE_PORT", str(settings.CONSOLE_PORT))
    found.append(
        Server(
            "console",
            [python, "-m", "channels.console"],
            without_action_secrets(env),
            f"http://{host}:{console_port}/ready",
        )
    )
    found.append(
        Server(
            "nginx",
            [nginx_binary() or "nginx", "-p", str(run_dir), "-c", "nginx.conf"],
            without_action_secrets(env),
            f"{public_listener(env)}/webhooks/health/ready",
        )
    )
    return found


def public_listener(env: Mapping[str, str]) -> str:
    """nginx's public listener, as this machine reaches it."""
    return f"http://{env.get('BIND_HOST', '127.0.0.1')}:{env['PUBLIC_PORT']}"


def preflight(env: Mapping[str, str]) -> None:
    """Stop with a clear message when a part the profile needs is missing, or when its processes
    would run as a superuser or without the Redis password; create the roles and databases."""
    if not env.get("REST_CLIENT_TOKEN"):
        sys.exit("REST_CLIENT_TOKEN is not set: `make env` writes one into .env, or set it.")
    missing = [name for name in ("DATABASE_PASSWORD", "MIGRATION_PASSWORD", "REDIS_PASSWORD") if not env.get(name)]
    if missing:
        sys.exit(f"{' and '.join(missing)} not set: `make env` writes them into .env, or set them.")
    for name in ("DATABASE_URL", "KEYSTORE_URL"):
        if not env[name].startswith("postgresql"):
            sys.exit(f"{name} must be a PostgreSQL URL in the production profile (several processes share it).")
    refused = _roles_refused(env)
    if refused:
        sys.exit(f"PostgreSQL: {refused}")
    if not redis_server.binary():
        sys.exit("redis-server is not installed: `make redis` installs Debian's package.")
    if not nginx_binary():
        sys.exit("nginx is not installed: `make nginx` installs Debian's package.")


def _roles_refused(env: Mapping[str, str]) -> str | None:
    """Create the roles and databases; None when the processes' role may run them, else why not."""
    try:
        database_roles.provision(env)
        for name in ("DATABASE_URL", "KEYSTORE_URL"):
            reason = database_roles.refusal(env[name], env["DATABASE_PASSWORD"])
            if reason:
                return (
                    f"{name}'s role {reason}; the processes run as an application role that reads and "
                    "writes rows only, migrations as MIGRATION_ROLE."
                )
    except database_roles.RoleRefused as error:
        return str(error)
    except SQLAlchemyError as error:
        where = make_url(env["POSTGRES_ADMIN_URL"]).render_as_string(hide_password=True)
        return f"not reachable at {where} ({type(error).__name__}): start it, or set POSTGRES_ADMIN_URL."
    return None


def migrate(env: Mapping[str, str]) -> None:
    """Create or upgrade the vault's schema, once, before any replica starts, as the migration role."""
    done = subprocess.run([sys.executable, "-m", "privacy", "migrate"], env=dict(env), cwd=settings.PROJECT_ROOT)
    if done.returncode:
        sys.exit(done.returncode)


def main() -> None:
    env = environment(os.environ)
    preflight(env)
    migrate(env)
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    write_nginx_config(env, RUN_DIR)
    try:
        redis = redis_server.RedisServer(env, RUN_DIR).start()
    except RuntimeError as error:
        sys.exit(str(error))
    public, host = public_listener(env), env.get("BIND_HOST", "127.0.0.1")
    listed = "".join(f"  {server.name + ':':<23} {server.ready_url}\n" for server in servers(env, RUN_DIR))
    try:
        run(
            servers(env, RUN_DIR),
            banner(
                public,
                f"http://{host}:{env.get('CONSOLE_PORT', settings.CONSOLE_PORT)}",
                env.get("SMS_WEBHOOK_URL") or f"{env['PUBLIC_URL']}/webhooks/sms/webhook",
                f"  Readiness of each process:\n{listed}",
            ),
        )
    finally:
        redis.stop()


if __name__ == "__main__":
    main()
