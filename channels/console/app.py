"""The console's pages (Sanic, the web framework Rasa already ships; Jinja2 templates, autoescaped).

Agents: the handoff queue, claiming a conversation, its transcript (contact data masked;
every view and every reveal audited with the staff member and a reason), replying through
the patient's own channel, giving the conversation back to the assistant or closing it.
The privacy officer: the rights queue, a request's history, approve / deny, a subject's
consent ledger, the audit log and its verification, the retention sweep as a dry run.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

import settings
from channels.console import rasa_api
from channels.console.masking import has_contact, mask
from channels.console.security import (
    COOKIE,
    HEADERS,
    LOGIN_COOKIE,
    clear_cookie,
    current,
    form_token_ok,
    login_token,
    needs,
    set_cookie,
    token_refused,
)
from channels.readiness import vault_readiness
from privacy import shared_vault
from privacy.errors import VaultError
from privacy.staff import SECOND_FACTOR, LoginFailed

HERE = Path(__file__).resolve().parent
PAGES = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
REASONS = ("answering the patient", "reviewing the handoff", "quality review")


def page(name: str, request: Request, status: int = 200, **values: Any) -> HTTPResponse:
    session = getattr(request.ctx, "session", None)
    html = PAGES.get_template(name).render(session=session, csrf=session.csrf if session else "", **values)
    return response.html(html, status=status)


async def call(function, *args, **kwargs):
    return await asyncio.to_thread(function, *args, **kwargs)


def queue_rows(staff: str) -> list[dict[str, Any]]:
    now = time.time()
    return [
        {
            "id": t.id,
            "channel": t.channel,
            "summary": mask(t.summary),
            "emergency": t.emergency,
            "waiting": int((now - t.created_at.timestamp()) // 60),
            "claimed": t.status == "claimed",
        }
        for t in shared_vault().tickets.handoff_queue(staff)
    ]


def create_app() -> Sanic:
    app = Sanic("healthtigo_console")
    app.static("/static", str(HERE / "static"), name="console_static")
    vault = shared_vault

    @app.middleware("response")
    async def secure_headers(_: Request, reply: HTTPResponse) -> None:
        reply.headers.update(HEADERS)

    # -- logging in ------------------------------------------------------------------------
    @app.get("/login")
    async def login_form(request: Request) -> HTTPResponse:
        token = login_token(request)
        reply = page("login.html", request, login_csrf=token)
        set_cookie(reply, LOGIN_COOKIE, token)
        return reply

    @app.post("/login")
    async def login(request: Request) -> HTTPResponse:
        if not form_token_ok(request, request.cookies.get(LOGIN_COOKIE)):
            return token_refused()
        try:
            staff = await call(vault().staff.login, request.form.get("username", ""), request.form.get("password", ""))
        except LoginFailed as failed:
            token = login_token(request)
            return page("login.html", request, status=401, login_csrf=token, error=str(failed))
        token = await call(vault().staff.start_session, staff, staff.role not in SECOND_FACTOR)
        reply = response.redirect("/totp" if staff.role in SECOND_FACTOR else "/")
        set_cookie(reply, COOKIE, token)
        clear_cookie(reply, LOGIN_COOKIE)
        return reply

    @app.route("/totp", methods=["GET", "POST"])
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

    @app.post("/logout")
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

    @app.get("/")
    @needs("agent", "privacy_officer")
    async def home(request: Request) -> HTTPResponse:
        return response.redirect(
            "/privacy/requests" if request.ctx.session.staff.role == "privacy_officer" else "/queue"
        )

    # -- handoffs --------------------------------------------------------------------------
    @app.get("/queue")
    @needs("agent")
    async def queue(request: Request) -> HTTPResponse:
        return page("queue.html", request, rows=await call(queue_rows, request.ctx.session.staff.actor))

    @app.get("/queue.json")
    @needs("agent")
    async def queue_json(request: Request) -> HTTPResponse:
        return response.json(await call(queue_rows, request.ctx.session.staff.actor))

    def visible(ticket_id: str, staff: str):
        """The handoff, if it is in this staff member's queue (open, or claimed by them)."""
        return next((t for t in vault().tickets.handoff_queue(staff) if t.id == ticket_id), None)

    @app.post("/tickets/<ticket_id>/claim")
    @needs("agent")
    async def claim(request: Request, ticket_id: str) -> HTTPResponse:
        if not await call(vault().tickets.claim, ticket_id, request.ctx.session.staff.actor):
            return response.text("Someone else took this conversation.", status=409)
        return response.redirect(f"/tickets/{ticket_id}")

    async def transcript(request: Request, ticket_id: str, reason: str, revealed: int = -1) -> HTTPResponse:
        staff = request.ctx.session.staff.actor
        ticket = await call(visible, ticket_id, staff)
        if ticket is None:
            return response.text("This conversation is not in your queue.", status=404)
        if reason not in REASONS:
            return page("reason.html", request, ticket=ticket, reasons=REASONS)
        messages = await call(vault().conversations.messages, ticket.conversation_id)
        await call(vault().audit.append, staff, "transcript.view", ticket.subject_id, reason, {"ticket": ticket_id})
        shown = [
            {
                **m,
                "text": m["text"] if i == revealed else mask(m["text"]),
                "masked": i != revealed and has_contact(m["text"]),
            }
            for i, m in enumerate(messages)
        ]
        return page(
            "ticket.html", request, ticket=ticket, messages=shown, reason=reason, mine=ticket.claimed_by == staff
        )

    @app.get("/tickets/<ticket_id>")
    @needs("agent")
    async def ticket_page(request: Request, ticket_id: str) -> HTTPResponse:
        return await transcript(request, ticket_id, request.args.get("reason", ""))

    @app.post("/tickets/<ticket_id>/reveal")
    @needs("agent")
    async def reveal(request: Request, ticket_id: str) -> HTTPResponse:
        index, reason = int(request.form.get("message", "-1")), request.form.get("reason", "")
        ticket = await call(visible, ticket_id, request.ctx.session.staff.actor)
        if ticket is None or reason not in REASONS:
            return response.text("This conversation is not in your queue.", status=404)
        await call(
            vault().audit.append,
            request.ctx.session.staff.actor,
            "transcript.reveal",
            ticket.subject_id,
            reason,
            {"ticket": ticket_id, "message": index},
        )
        return await transcript(request, ticket_id, reason, revealed=index)

    async def claimed_sender(request: Request, ticket_id: str):
        ticket = await call(visible, ticket_id, request.ctx.session.staff.actor)
        if ticket is None or ticket.claimed_by != request.ctx.session.staff.actor:
            return None, None
        return ticket, await call(vault().conversations.sender_of, ticket.conversation_id)

    @app.post("/tickets/<ticket_id>/reply")
    @needs("agent")
    async def reply(request: Request, ticket_id: str) -> HTTPResponse:
        ticket, sender = await claimed_sender(request, ticket_id)
        text = (request.form.get("text") or "").strip()
        if sender is None:
            return response.text("Claim this conversation first.", status=409)
        if text:
            await rasa_api.reply(sender, text[:1600], request.ctx.session.staff.username)
            await call(
                vault().audit.append,
                request.ctx.session.staff.actor,
                "ticket.reply",
                ticket.subject_id,
                "answering the patient",
                {"ticket": ticket_id},
            )
        return response.redirect(f"/tickets/{ticket_id}?reason=answering+the+patient")

    @app.post("/tickets/<ticket_id>/<outcome:resumed|closed>")
    @needs("agent")
    async def give_back(request: Request, ticket_id: str, outcome: str) -> HTTPResponse:
        ticket, sender = await claimed_sender(request, ticket_id)
        if sender is None:
            return response.text("Claim this conversation first.", status=409)
        await rasa_api.give_back(sender, closed=outcome == "closed")
        await call(vault().tickets.close, ticket_id, request.ctx.session.staff.actor, outcome)
        return response.redirect("/queue")

    # -- the privacy officer ---------------------------------------------------------------
    @app.get("/privacy/requests")
    @needs("privacy_officer")
    async def requests_page(request: Request) -> HTTPResponse:
        listed = await call(vault().rights.list, open_only=request.args.get("all") is None)
        await call(vault().audit.append, request.ctx.session.staff.actor, "officer.list_requests", None, "rights queue")
        return page("requests.html", request, requests=listed, now=vault().now())

    @app.get("/privacy/requests/<request_id>")
    @needs("privacy_officer")
    async def request_page(request: Request, request_id: str, error: str = "", download: str = "") -> HTTPResponse:
        try:
            found = await call(vault().rights.get, request_id)
        except VaultError as problem:
            return response.text(str(problem), status=404)
        history = await call(vault().rights.history, request_id)
        await call(
            vault().audit.append,
            request.ctx.session.staff.actor,
            "officer.view_request",
            found.subject_id,
            "rights queue",
            {"request": request_id},
        )
        return page(
            "request.html", request, item=found, history=history, now=vault().now(), error=error, download=download
        )

    @app.post("/privacy/requests/<request_id>/<decision:approve|deny>")
    @needs("privacy_officer")
    async def decide(request: Request, request_id: str, decision: str) -> HTTPResponse:
        officer = request.ctx.session.staff.actor
        try:
            if decision == "deny":
                await call(vault().rights.deny, request_id, actor=officer, reason=request.form.get("reason", ""))
                return response.redirect(f"/privacy/requests/{request_id}")
            how = (request.form.get("verified_in_person") or "").strip()
            if how:
                await call(vault().rights.confirm_identity, request_id, actor=officer, how=how)
            result = await call(vault().rights.approve, request_id, actor=officer)
        except VaultError as problem:
            return await request_page(request, request_id, error=str(problem))
        link = f"{settings.PUBLIC_URL}/webhooks/downloads/{result.download_token}" if result.download_token else ""
        return await request_page(request, request_id, download=link)

    @app.get("/privacy/consent/<subject_id>")
    @needs("privacy_officer")
    async def consent_page(request: Request, subject_id: str) -> HTTPResponse:
        history = await call(vault().consent.history, subject_id)
        await call(
            vault().audit.append, request.ctx.session.staff.actor, "officer.view_consent", subject_id, "consent ledger"
        )
        return page(
            "consent.html",
            request,
            subject_id=subject_id,
            history=history,
            state=await call(vault().consent.state, subject_id),
        )

    @app.get("/privacy/audit")
    @needs("privacy_officer")
    async def audit_page(request: Request) -> HTTPResponse:
        verdict = await call(vault().audit.verify) if request.args.get("verify") else None
        entries = await call(vault().audit.entries, None, 200)
        return page("audit.html", request, entries=entries, verdict=verdict)

    @app.get("/privacy/retention")
    @needs("privacy_officer")
    async def retention_page(request: Request) -> HTTPResponse:
        report = await call(vault().retention.sweep, dry_run=True, actor=request.ctx.session.staff.actor)
        return page("retention.html", request, report=report)

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/ready")
    async def ready(_: Request) -> HTTPResponse:
        return await vault_readiness(vault)

    return app
