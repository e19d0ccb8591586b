"""Every console route says whether it shows patient data. One that does is `@audited`: its
handler notes what it showed with `shown(...)`, and the decorator writes each note to the audit
log with the staff member, after the page is made and before it is sent (if the entry cannot be
written, the page is not sent). One that does not is `@not_audited(why)`.
tests/unit/test_console_routes.py fails on a route that says neither, and on a page of one
patient's data that is not audited."""

from __future__ import annotations

from functools import wraps
from typing import Any, Awaitable, Callable, Optional

from sanic.request import Request
from sanic.response import HTTPResponse

from channels.console.pages import call
from privacy import shared_vault

AUDITED = "audited"
Handler = Callable[..., Awaitable[HTTPResponse]]


def audited(handler: Handler) -> Handler:
    @wraps(handler)
    async def recorded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        request.ctx.shown = []
        reply = await handler(request, *args, **kwargs)
        for action, subject, reason, detail in request.ctx.shown:
            await call(shared_vault().audit.append, request.ctx.session.staff.actor, action, subject, reason, detail)
        return reply

    recorded.audit = AUDITED
    return recorded


def shown(request: Request, action: str, subject: Optional[str], reason: str, detail: Optional[dict] = None) -> None:
    """Note what this page shows of a patient's data, and why; `@audited` writes it."""
    request.ctx.shown.append((action, subject, reason, detail))


def not_audited(why: str) -> Callable[[Handler], Handler]:
    def mark(handler: Handler) -> Handler:
        handler.audit = f"not audited: {why}"
        return handler

    return mark
