"""The staff console (Sanic, the web framework Rasa already ships; Jinja2 templates, autoescaped):
its routes by area (channels/console/routes/), the security headers on every answer, and the
health and readiness URLs."""

from __future__ import annotations

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.console.auditing import not_audited
from channels.console.pages import HERE
from channels.console.routes import handoffs, login, privacy_officer
from channels.console.security import HEADERS
from channels.readiness import vault_readiness
from privacy import shared_vault


def create_app(name: str = "healthtigo_console") -> Sanic:
    app = Sanic(name)
    app.static("/static", str(HERE / "static"), name="console_static")
    for area in (login, handoffs, privacy_officer):
        app.blueprint(area.routes)

    @app.middleware("response")
    async def secure_headers(_: Request, reply: HTTPResponse) -> None:
        reply.headers.update(HEADERS)

    @app.get("/health")
    @not_audited("liveness: no data")
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/ready")
    @not_audited("readiness: no data")
    async def ready(_: Request) -> HTTPResponse:
        return await vault_readiness(shared_vault)

    return app
