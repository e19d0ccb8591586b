"""Starts the rasa-sdk action server for bot.actions with safe defaults.

rasa-sdk's own runner binds 0.0.0.0, accepts any caller and answers an error
with the whole request, tracker included (health data), in the response body.
This launcher binds 127.0.0.1, refuses requests without the shared
X-Action-Token, and answers errors with a short message; the log keeps the
traceback, without the exception's message (privacy/logs). GET /health answers
while the process runs, GET /ready only while the vault's databases answer too.
Run: python -m runtime.action_server
"""

from __future__ import annotations

import hmac
import logging
import socket
import sys

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request

import settings
from bot.plugins.log_messages import TEMPLATES
from channels.readiness import vault_readiness
from privacy import VaultError, logs, shared_vault

logger = logging.getLogger("runtime.action_server")

TOKEN_HEADER = "X-Action-Token"


def build_app(token: str) -> Sanic:
    """The action server app for bot.actions, guarded by `token`."""
    app = create_app("bot.actions", cors_origins=None)

    @app.on_request
    async def require_token(request: Request):
        if request.path in ("/health", "/ready"):
            return None
        given = request.headers.get(TOKEN_HEADER, "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return response.json({"error": "forbidden"}, status=403)
        return None

    @app.get("/ready")
    async def ready(_: Request):
        return await vault_readiness(shared_vault)

    async def on_error(request: Request, exception: Exception):
        status = getattr(exception, "status_code", 500)
        if status >= 500:
            logger.error("Action request failed: %s", type(exception).__name__, exc_info=exception)
        return response.json({"error": "The action could not be run."}, status=status)

    app.error_handler.add(Exception, on_error)
    return app


def main() -> None:
    if not settings.ACTION_SERVER_TOKEN:
        sys.exit("ACTION_SERVER_TOKEN is not set: run `make run`, which writes .env, or set it.")
    if not settings.IDENTITY_SEAL_KEY:
        sys.exit("IDENTITY_SEAL_KEY is not set: run `make run`, which writes .env, or set it.")
    try:  # a missing key or an old schema stops the server here, not in a conversation
        shared_vault()
    except VaultError as error:
        sys.exit(f"The vault cannot be opened: {error}")
    logs.install(TEMPLATES)
    logging.basicConfig(level=settings.LOG_LEVEL, format="%(asctime)s %(levelname)s %(name)s  %(message)s")
    app = build_app(settings.ACTION_SERVER_TOKEN)
    # Bind here so that a taken port stops the process with an error (Sanic would exit 0).
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.HOST, settings.ACTION_SERVER_PORT))
    except OSError as error:
        sys.exit(f"Action server cannot listen on {settings.HOST}:{settings.ACTION_SERVER_PORT}: {error.strerror}")
    print(f"Action server on http://{settings.HOST}:{settings.ACTION_SERVER_PORT}", flush=True)
    app.run(sock=sock, access_log=False, motd=False)


if __name__ == "__main__":
    main()
