"""Download links for a patient's portable copy: GET /webhooks/downloads/<token>.

The token is the secret; the link stops working when it expires (7 days). The file is
sent as an attachment and never cached.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from privacy import shared_vault
from privacy.errors import NotFound

GONE = "This download link is not valid or has expired. Ask the assistant for a new copy."


class DownloadChannel(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "downloads"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        downloads = Blueprint("healthtigo_downloads", __name__)

        @downloads.route("/<token:str>", methods=["GET"])
        async def download(_: Request, token: str) -> HTTPResponse:
            try:
                content = await asyncio.to_thread(shared_vault().exports.fetch, token)
            except NotFound:
                return response.text(GONE, status=404, headers={"Cache-Control": "no-store"})
            return response.text(
                content,
                content_type="application/json",
                headers={
                    "Content-Disposition": 'attachment; filename="healthtigo-my-data.json"',
                    "Cache-Control": "no-store",
                    "X-Content-Type-Options": "nosniff",
                },
            )

        return downloads
