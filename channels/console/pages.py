"""What every console page uses: the templates (Jinja2, autoescaped), rendering a page with the
session's CSRF token, and running the vault's blocking calls off the event loop."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

HERE = Path(__file__).resolve().parent
PAGES = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))


def page(name: str, request: Request, status: int = 200, **values: Any) -> HTTPResponse:
    session = getattr(request.ctx, "session", None)
    html = PAGES.get_template(name).render(session=session, csrf=session.csrf if session else "", **values)
    return response.html(html, status=status)


async def call(function, *args, **kwargs):
    return await asyncio.to_thread(function, *args, **kwargs)
