"""Who may do what in the console: the session cookie, the CSRF token of every form, the
second factor, and the roles each page needs, all checked on the server."""

from __future__ import annotations

import asyncio
import hmac
import secrets
from functools import wraps
from typing import Any, Awaitable, Callable, Optional

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from privacy import shared_vault
from privacy.clinic.staff import SECOND_FACTOR, Session

COOKIE = "ht_console"
LOGIN_COOKIE = "ht_login"  # double-submit token of the login form, before there is a session
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def set_cookie(reply: HTTPResponse, name: str, value: str) -> None:
    reply.cookies[name] = value
    cookie = reply.cookies[name]
    cookie["httponly"], cookie["secure"], cookie["samesite"], cookie["path"] = True, True, "Strict", "/"


def clear_cookie(reply: HTTPResponse, name: str) -> None:
    set_cookie(reply, name, "")
    reply.cookies[name]["max-age"] = 0


def login_token(request: Request) -> str:
    return request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)


def form_token_ok(request: Request, expected: Optional[str]) -> bool:
    given = request.form.get("csrf", "") if request.form else ""
    return bool(expected) and hmac.compare_digest(given, expected)


def token_refused() -> HTTPResponse:
    """The answer to a form posted without its CSRF token."""
    return response.text("The form's security token is missing or wrong: reload the page.", status=403)


def current(request: Request) -> Optional[Session]:
    """The request's session; a background refresh (`X-Refresh: 1`) does not count as activity."""
    return shared_vault().staff.session(
        request.cookies.get(COOKIE, ""), activity=request.headers.get("X-Refresh") != "1"
    )


def needs(*roles: str) -> Callable:
    """A page for these roles (admins may use every page): anyone else is sent to log in or refused;
    a POST without the session's CSRF token is refused."""

    def decorate(handler: Callable[..., Awaitable[HTTPResponse]]) -> Callable[..., Awaitable[HTTPResponse]]:
        @wraps(handler)
        async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            session = await asyncio.to_thread(current, request)
            if session is None:
                return response.redirect("/login")
            if session.staff.role in SECOND_FACTOR and not session.verified:
                return response.redirect("/totp")
            if session.staff.role not in (*roles, "admin"):
                return response.text("This page is not for your role.", status=403)
            if request.method == "POST" and not form_token_ok(request, session.csrf):
                return token_refused()
            request.ctx.session = session
            return await handler(request, *args, **kwargs)

        return guarded

    return decorate
