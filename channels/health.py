"""Liveness and readiness of the rasa server, for the launcher and a load balancer.

GET /webhooks/health/live   200 while the process serves requests
GET /webhooks/health/ready  200 when the model is loaded, the tracker store works and (with
                            several replicas) Redis answers, else 503
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


class HealthChannel(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "health"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        health = Blueprint("healthtigo_health", __name__)

        @health.route("/live", methods=["GET"])
        async def live(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @health.route("/ready", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            checks = {"model": bool(agent and agent.is_ready())}
            store = getattr(agent, "tracker_store", None)
            checks["tracker_store"] = bool(store) and (await store.ready() if hasattr(store, "ready") else True)
            locks = getattr(agent, "lock_store", None)
            if hasattr(locks, "ping"):
                checks["redis"] = await asyncio.to_thread(locks.ping) is None
            ok = all(checks.values())
            return response.json({"status": "ok" if ok else "unavailable", **checks}, status=200 if ok else 503)

        return health
