"""Logging in, the second factor, logging out, and the home page that sends each role on."""

from __future__ import annotations

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.console.auditing import not_audited
from channels.console.pages import call, page
from channels.console.security import (
    COOKIE,
    LOGIN_COOKIE,
    clear_cookie,
    current,
    form_token_ok,
    login_token,
    needs,
    set_cookie,
    token_refused,
)
from privacy import shared_vault as vault
from privacy.clinic.staff import SECOND_FACTOR, LoginFailed

routes = Blueprint("login")
NO_PATIENT_DATA = "logging in and out shows no patient data"


@routes.get("/login")
@not_audited(NO_PATIENT_DATA)
async def login_form(request: Request) -> HTTPResponse:
    token = login_token(request)
    reply = page("login.html", request, login_csrf=token)
    set_cookie(reply, LOGIN_COOKIE, token)
    return reply


@routes.post("/login")
@not_audited(NO_PATIENT_DATA)
async def login(request: Request) -> HTTPResponse:
    if not form_token_ok(request, request.cookies.get(LOGIN_COOKIE)):
        return token_refused()
    try:
        staff = await call(vault().staff.login, request.form.get("username", ""), request.form.get("password", ""))
    except LoginFailed as failed:
        token = login_token(request)
        return page("login.html", request, status=401, login_csrf=token, error=str(failed))
    token = await call(vault().staff.start_session, staff, staff.role not in SECOND_FACTOR)
    if request.form.get("end_others"):
        await call(vault().staff.end_sessions, staff, token)
    reply = response.redirect("/totp" if staff.role in SECOND_FACTOR else "/")
    set_cookie(reply, COOKIE, token)
    clear_cookie(reply, LOGIN_COOKIE)
    return reply


@routes.route("/totp", methods=["GET", "POST"])
@not_audited(NO_PATIENT_DATA)
async def second_factor(request: Request) -> HTTPResponse:
    session = await call(current, request)
    if session is None:
        return response.redirect("/login")
    request.ctx.session = session
    if request.method == "GET":
        return page("totp.html", request)
    if not form_token_ok(request, session.csrf):
        return token_refused()
    if not await call(vault().staff.check_code, session.staff, request.form.get("code", "")):
        return page("totp.html", request, status=401, error="That code is not right.")
    await call(vault().staff.mark_verified, request.cookies.get(COOKIE, ""))
    return response.redirect("/")


@routes.post("/logout")
@not_audited(NO_PATIENT_DATA)
async def logout(request: Request) -> HTTPResponse:
    """Also before the second factor: whoever holds a session may end it."""
    session = await call(current, request)
    if session is None:
        return response.redirect("/login")
    if not form_token_ok(request, session.csrf):
        return token_refused()
    await call(vault().staff.end_session, request.cookies.get(COOKIE, ""))
    reply = response.redirect("/login")
    clear_cookie(reply, COOKIE)
    return reply


@routes.post("/logout-everywhere")
@not_audited(NO_PATIENT_DATA)
async def logout_everywhere(request: Request) -> HTTPResponse:
    """End every session of the staff member, this one included (a lost laptop, a shared computer)."""
    session = await call(current, request)
    if session is None:
        return response.redirect("/login")
    if not form_token_ok(request, session.csrf):
        return token_refused()
    await call(vault().staff.end_sessions, session.staff)
    reply = response.redirect("/login")
    clear_cookie(reply, COOKIE)
    return reply


@routes.get("/")
@needs("agent", "privacy_officer")
@not_audited("a redirect to the role's first page")
async def home(request: Request) -> HTTPResponse:
    return response.redirect("/privacy/requests" if request.ctx.session.staff.role == "privacy_officer" else "/queue")
