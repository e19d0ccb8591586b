"""The privacy officer: the rights queue, a request's history, approve or deny, a subject's
consent ledger, the audit log and its verification, the retention sweep as a dry run."""

from __future__ import annotations

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

import settings
from channels.console.auditing import audited, not_audited, shown
from channels.console.pages import call, page
from channels.console.security import needs
from privacy import shared_vault as vault
from privacy.errors import VaultError

routes = Blueprint("privacy_officer")


@routes.get("/privacy/requests")
@needs("privacy_officer")
@audited
async def requests_page(request: Request) -> HTTPResponse:
    listed = await call(vault().rights.list, open_only=request.args.get("all") is None)
    shown(request, "officer.list_requests", None, "rights queue")
    return page("requests.html", request, requests=listed, now=vault().now())


async def request_page(request: Request, request_id: str, error: str = "", download: str = "") -> HTTPResponse:
    try:
        found = await call(vault().rights.get, request_id)
    except VaultError as problem:
        return response.text(str(problem), status=404)
    history = await call(vault().rights.history, request_id)
    shown(request, "officer.view_request", found.subject_id, "rights queue", {"request": request_id})
    return page("request.html", request, item=found, history=history, now=vault().now(), error=error, download=download)


@routes.get("/privacy/requests/<request_id>")
@needs("privacy_officer")
@audited
async def request_view(request: Request, request_id: str) -> HTTPResponse:
    return await request_page(request, request_id)


@routes.post("/privacy/requests/<request_id>/<decision:approve|deny>")
@needs("privacy_officer")
@audited
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


@routes.get("/privacy/consent/<subject_id>")
@needs("privacy_officer")
@audited
async def consent_page(request: Request, subject_id: str) -> HTTPResponse:
    history = await call(vault().consent.history, subject_id)
    shown(request, "officer.view_consent", subject_id, "consent ledger")
    state = await call(vault().consent.state, subject_id)
    return page("consent.html", request, subject_id=subject_id, history=history, state=state)


@routes.get("/privacy/audit")
@needs("privacy_officer")
@not_audited("the audit log itself: pseudonymous ids, actions and reasons, no patient datum")
async def audit_page(request: Request) -> HTTPResponse:
    verdict = await call(vault().audit.verify) if request.args.get("verify") else None
    entries = await call(vault().audit.entries, None, 200)
    return page("audit.html", request, entries=entries, verdict=verdict)


@routes.get("/privacy/retention")
@needs("privacy_officer")
@not_audited("a dry run of the retention sweep, which audits itself")
async def retention_page(request: Request) -> HTTPResponse:
    report = await call(vault().retention.sweep, dry_run=True, actor=request.ctx.session.staff.actor)
    return page("retention.html", request, report=report)
