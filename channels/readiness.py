"""GET /ready of the processes that need only the vault (action server, staff console):
200 while the vault's databases answer, else 503 naming the error's type."""

from __future__ import annotations

import asyncio
from typing import Callable

from sanic import response
from sanic.response import HTTPResponse

from privacy import Vault


async def vault_readiness(vault: Callable[[], Vault]) -> HTTPResponse:
    """`vault` opens (or returns) the process's vault; opening it may fail too."""
    try:
        await asyncio.to_thread(lambda: vault().conversations.check())
    except Exception as error:
        return response.json({"status": "unavailable", "vault": type(error).__name__}, status=503)
    return response.json({"status": "ok"})
