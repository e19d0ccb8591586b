"""Download links for a patient's portable copy, under /webhooks/downloads/<token>.

Opening a link (GET) only shows a page; a link preview or scanner that fetches it gets nothing
and sends nothing. The patient asks for a one-time code to the contact on file (POST
.../<token>/code), types it (POST .../<token>), and only then does the download start
(privacy/compliance/rights/exports.py checks that the code was sent to the copy's patient).
Links last 30 minutes; no page is cached, framed or sent with a referrer.
"""

from __future__ import annotations

import asyncio
from html import escape
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.rate_limit import client_address
from privacy import shared_vault
from privacy.errors import NotFound
from privacy.subjects.identity import VerificationFailed

GONE = "This download link is not valid or has expired. Ask the assistant for a new copy."
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    ),
}
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your Healthtigo data</title><style>body{{font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}}
label,input,button{{display:block;font-size:1.1rem;margin:.5rem 0}}</style></head>
<body><main><h1>Your Healthtigo data</h1>{body}</main></body></html>"""
ASK = """<p>To protect your copy, we first send a one-time code to the phone or e-mail we have on file
for you.</p><form method="post" action="/webhooks/downloads/{token}/code"><button>Send me a code</button></form>"""
ENTER = """<p role="status">{message}</p><form method="post" action="/webhooks/downloads/{token}">
<input type="hidden" name="code_id" value="{code_id}"><label for="code">6-digit code</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="12" required>
<button>Download my copy</button></form>
<form method="post" action="/webhooks/downloads/{token}/code"><button>Send me a new code</button></form>"""
SENT = "If we have a phone or e-mail on file, a 6-digit code is on its way. It expires in 10 minutes."


def page(body: str, status: int = 200) -> HTTPResponse:
    return response.html(PAGE.format(body=body), status=status, headers=HEADERS)


def code_form(token: str, code_id: str, message: str) -> HTTPResponse:
    return page(ENTER.format(token=escape(token), code_id=escape(code_id), message=escape(message)))


class DownloadChannel(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "downloads"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        downloads = Blueprint("healthtigo_downloads", __name__)

        @downloads.route("/<token:str>", methods=["GET"])
        async def opened(_: Request, token: str) -> HTTPResponse:
            try:
                await asyncio.to_thread(shared_vault().exports.check, token)
            except NotFound:
                return page(f"<p>{GONE}</p>", status=404)
            return page(ASK.format(token=escape(token)))

        @downloads.route("/<token:str>/code", methods=["POST"])
        async def code(request: Request, token: str) -> HTTPResponse:
            try:
                code_id = await asyncio.to_thread(shared_vault().exports.send_code, token, client_address(request))
            except NotFound:
                return page(f"<p>{GONE}</p>", status=404)
            return code_form(token, code_id, SENT)

        @downloads.route("/<token:str>", methods=["POST"])
        async def download(request: Request, token: str) -> HTTPResponse:
            code_id, typed = request.form.get("code_id", ""), request.form.get("code", "")
            try:
                content = await asyncio.to_thread(
                    shared_vault().exports.fetch, token, code_id, typed, client_address(request)
                )
            except NotFound:
                return page(f"<p>{GONE}</p>", status=404)
            except VerificationFailed as error:
                return code_form(token, error.fresh_code_id or code_id, str(error))
            return response.text(
                content,
                content_type="application/json",
                headers={**HEADERS, "Content-Disposition": 'attachment; filename="healthtigo-my-data.json"'},
            )

        return downloads
