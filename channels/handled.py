"""Whether a message a client sends again was handled already (a retry after a failure).

Each channel gives Rasa the message's own id (the REST client's message_id, Twilio's
MessageSid); the conversation then holds it on the patient's event.
"""

from __future__ import annotations

from typing import Any, Optional

from rasa.shared.core.events import BotUttered, UserUttered

REPLY_KEYS = ("text", "image", "buttons", "attachment", "custom")  # what CollectingOutputChannel sends


async def replies_to(agent: Any, sender_id: str, message_id: str) -> Optional[list[dict[str, Any]]]:
    """The bot's replies to the message `message_id` if the conversation holds it, else None."""
    tracker = await agent.tracker_store.retrieve(sender_id)
    replies, found = [], False
    for event in tracker.events if tracker else []:
        if isinstance(event, UserUttered):
            if found:
                break
            found = event.message_id == message_id
        elif found and isinstance(event, BotUttered):
            said = event.message()
            replies.append({"recipient_id": sender_id, **{key: said[key] for key in REPLY_KEYS if said.get(key)}})
    return replies if found else None
