"""What the rasa server serves besides the channels: of Rasa's HTTP API, only the conversation
endpoints the staff console and the tests use and the parsing of a text, behind a JWT in the Authorization header
(runtime/serve.py). The model endpoints (PUT /model, training, testing), the domain and the
status are off: no request can replace the model or read how it was built.

Loaded like a channel (credentials.yml), so that it runs in every rasa server process.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

SERVED = ("/webhooks/", "/socket.io/", "/conversations/")
SERVED_EXACTLY = frozenset(("/", "/version", "/model/parse"))  # parsing reads nothing stored


def served(path: str) -> bool:
    return path in SERVED_EXACTLY or path.startswith(SERVED)


async def refuse_the_rest(request: Request) -> Optional[HTTPResponse]:
    """Request middleware: a 404 for every path the assistant does not serve."""
    if not served(request.path):
        return response.json({"error": "Not found."}, status=404)
    return None


class ApiPathsChannel(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "api_paths"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        paths = Blueprint("healthtigo_api_paths", __name__)

        @paths.listener("before_server_start")
        async def install(app: Sanic, _loop: Any) -> None:
            app.register_middleware(refuse_the_rest, "request")

        return paths
