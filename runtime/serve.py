"""Starts the rasa server with safe defaults.

Binds 127.0.0.1, allows only the configured CORS origins, enables the HTTP API
only when RASA_API_TOKEN is set (and then requires a JWT signed with it), limits a request's
body to what a message needs (REQUEST_MAX_SIZE), and loads the model
for the current training inputs. Run: python -m runtime.serve
"""

from __future__ import annotations

import os
import socket
import sys

import settings
from channels import rasa_api_auth
from privacy import Vault, VaultError
from runtime import rasa_cli
from runtime.train import model_path


def preflight() -> None:
    """Stop with a clear message when the server could not start or would start wrong."""
    if not settings.ACTION_SERVER_TOKEN:
        sys.exit("ACTION_SERVER_TOKEN is not set: run `make run`, which writes .env, or set it.")
    if not settings.WIDGET_SECRET:
        sys.exit("WIDGET_SECRET is not set: run `make run`, which writes .env, or set it.")
    if "*" in settings.CORS_ORIGINS:
        sys.exit('CORS_ORIGINS must list the allowed origins; "*" is refused.')
    if not settings.TWILIO_AUTH_TOKEN:
        print("TWILIO_AUTH_TOKEN is not set: the SMS webhook will refuse every request.", file=sys.stderr)
    os.environ["SANIC_REQUEST_MAX_SIZE"] = str(settings.REQUEST_MAX_SIZE)  # Sanic reads SANIC_* settings
    # endpoints.yml reads these.
    os.environ["ACTION_SERVER_URL"] = settings.ACTION_SERVER_URL
    os.environ["ACTION_SERVER_TOKEN"] = settings.ACTION_SERVER_TOKEN
    os.environ["LOCK_STORE_TYPE"] = "bot.plugins.lock_store.SerialRedisLockStore" if settings.REDIS_URL else "in_memory"
    if settings.REDIS_URL:
        reason = redis_unreachable(settings.REDIS_URL, settings.REDIS_PASSWORD)
        if reason:
            sys.exit(f"Redis (REDIS_URL) is not reachable: {reason}. Start it, or unset REDIS_URL for one process.")
    with socket.socket() as probe:  # Rasa loads the model first, then exits 0 on a taken port
        if probe.connect_ex((settings.HOST, settings.RASA_PORT)) == 0:
            sys.exit(
                f"Port {settings.RASA_PORT} on {settings.HOST} is in use: stop what listens there or set RASA_PORT."
            )
    try:  # the tracker store needs the vault; Rasa would silently replace a store that fails
        Vault.open().close()
    except VaultError as error:
        sys.exit(f"The vault cannot be opened: {error}")
    if not model_path().exists():
        sys.exit(f"No model for the current training data ({model_path().name}): run `make train` first.")


def redis_unreachable(url: str, password: str = "") -> str | None:
    """None when Redis answers at `url` to `password` (or to none), else why not."""
    import redis

    try:
        redis.Redis.from_url(url, password=password, socket_timeout=3).ping()
    except (redis.RedisError, ValueError) as error:
        return str(error) or type(error).__name__
    return None


def server_arguments() -> list[str]:
    """The `rasa run` arguments for the current settings."""
    args = [
        "run",
        "--model",
        str(model_path()),
        "--endpoints",
        str(settings.ENDPOINTS_FILE),
        "--credentials",
        str(settings.PROJECT_ROOT / "credentials.yml"),
        "--interface",
        settings.HOST,
        "--port",
        str(settings.RASA_PORT),
        "--cors",
        *settings.CORS_ORIGINS,
    ]
    # A JWT in the Authorization header (channels/rasa_api_auth.py); the secret may start with "-".
    if settings.RASA_API_TOKEN:
        args += ["--enable-api", f"--jwt-secret={settings.RASA_API_TOKEN}", f"--jwt-method={rasa_api_auth.ALGORITHM}"]
    if settings.LOG_LEVEL.upper() == "DEBUG":
        args.append("--debug")
    elif settings.LOG_LEVEL.upper() in {"WARNING", "ERROR"}:
        args.append("--quiet")
    return args


if __name__ == "__main__":
    preflight()
    rasa_cli.main(server_arguments())
