"""Staff speak in a patient's conversation through Rasa's HTTP API: events appended with
`output_channel=latest` reach the patient on the channel they wrote from (widget or SMS)."""

from __future__ import annotations

from typing import Any

import aiohttp

import settings
from channels.rasa_api_auth import api_headers

RESUMED = "You're back with the Healthtigo assistant. How else can I help?"
CLOSED = "Our team has closed this conversation. If you need anything else, just write here."


async def append(sender_id: str, events: list[dict[str, Any]]) -> None:
    """Append `events` to the conversation and send its bot messages to the patient."""
    url = f"{settings.RASA_URL}/conversations/{sender_id}/tracker/events"
    params = {"output_channel": "latest", "execute_side_effects": "true"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        async with session.post(url, params=params, json=events, headers=api_headers(settings.RASA_API_TOKEN)) as reply:
            reply.raise_for_status()


async def reply(sender_id: str, text: str, staff: str) -> None:
    await append(sender_id, [{"event": "bot", "text": text, "metadata": {"staff": staff}}])


async def give_back(sender_id: str, closed: bool) -> None:
    """Hand the conversation back to the assistant, telling the patient."""
    await append(sender_id, [{"event": "resume"}, {"event": "bot", "text": CLOSED if closed else RESUMED}])
