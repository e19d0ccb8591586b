"""Agents: the handoff queue, claiming a conversation, its transcript (contact data masked, every
view and every reveal audited with a reason), replying through the patient's own channel, giving
the conversation back to the assistant or closing it."""

from __future__ import annotations

import time
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.console import rasa_api
from channels.console.auditing import audited, not_audited, shown
from channels.console.masking import has_contact, mask
from channels.console.pages import call, page
from channels.console.security import needs
from privacy import shared_vault as vault

routes = Blueprint("handoffs")
REASONS = ("answering the patient", "reviewing the handoff", "quality review")
MASKED_ONLY = "the queue shows masked summaries only; opening a transcript is audited"


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
        for t in vault().tickets.handoff_queue(staff)
    ]


def visible(ticket_id: str, staff: str):
    """The handoff, if it is in this staff member's queue (open, or claimed by them)."""
    return next((t for t in vault().tickets.handoff_queue(staff) if t.id == ticket_id), None)


@routes.get("/queue")
@needs("agent")
@not_audited(MASKED_ONLY)
async def queue(request: Request) -> HTTPResponse:
    return page("queue.html", request, rows=await call(queue_rows, request.ctx.session.staff.actor))


@routes.get("/queue.json")
@needs("agent")
@not_audited(MASKED_ONLY)
async def queue_json(request: Request) -> HTTPResponse:
    return response.json(await call(queue_rows, request.ctx.session.staff.actor))


@routes.post("/tickets/<ticket_id>/claim")
@needs("agent")
@not_audited("claiming shows nothing: the transcript opens on its own, audited, page")
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
    shown(request, "transcript.view", ticket.subject_id, reason, {"ticket": ticket_id})
    lines = [
        {
            **m,
            "text": m["text"] if i == revealed else mask(m["text"]),
            "masked": i != revealed and has_contact(m["text"]),
        }
        for i, m in enumerate(messages)
    ]
    mine = ticket.claimed_by == staff
    return page(
        "ticket.html", request, ticket=ticket, summary=mask(ticket.summary), messages=lines, reason=reason, mine=mine
    )


@routes.get("/tickets/<ticket_id>")
@needs("agent")
@audited
async def ticket_page(request: Request, ticket_id: str) -> HTTPResponse:
    return await transcript(request, ticket_id, request.args.get("reason", ""))


@routes.post("/tickets/<ticket_id>/reveal")
@needs("agent")
@audited
async def reveal(request: Request, ticket_id: str) -> HTTPResponse:
    index, reason = int(request.form.get("message", "-1")), request.form.get("reason", "")
    ticket = await call(visible, ticket_id, request.ctx.session.staff.actor)
    if ticket is None or reason not in REASONS:
        return response.text("This conversation is not in your queue.", status=404)
    shown(request, "transcript.reveal", ticket.subject_id, reason, {"ticket": ticket_id, "message": index})
    return await transcript(request, ticket_id, reason, revealed=index)


async def claimed_sender(request: Request, ticket_id: str):
    ticket = await call(visible, ticket_id, request.ctx.session.staff.actor)
    if ticket is None or ticket.claimed_by != request.ctx.session.staff.actor:
        return None, None
    return ticket, await call(vault().conversations.sender_of, ticket.conversation_id)


@routes.post("/tickets/<ticket_id>/reply")
@needs("agent")
@audited
async def reply(request: Request, ticket_id: str) -> HTTPResponse:
    ticket, sender = await claimed_sender(request, ticket_id)
    text = (request.form.get("text") or "").strip()
    if sender is None:
        return response.text("Claim this conversation first.", status=409)
    if text:
        await rasa_api.reply(sender, text[:1600], request.ctx.session.staff.username)
        shown(request, "ticket.reply", ticket.subject_id, "answering the patient", {"ticket": ticket_id})
    return response.redirect(f"/tickets/{ticket_id}?reason=answering+the+patient")


@routes.post("/tickets/<ticket_id>/<outcome:resumed|closed>")
@needs("agent")
@not_audited("giving the conversation back shows nothing; the ticket records who closed it")
async def give_back(request: Request, ticket_id: str, outcome: str) -> HTTPResponse:
    ticket, sender = await claimed_sender(request, ticket_id)
    if sender is None:
        return response.text("Claim this conversation first.", status=409)
    await rasa_api.give_back(sender, closed=outcome == "closed")
    await call(vault().tickets.close, ticket_id, request.ctx.session.staff.actor, outcome)
    return response.redirect("/queue")
