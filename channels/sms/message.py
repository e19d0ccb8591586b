"""One received SMS as the channel handles it: Twilio's form, the sender, and the assistant it goes to."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, UserUttered

from channels.handled import replies_to

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]  # how a channel hands Rasa a message


class Form(dict):
    """Form fields as Twilio sent them (name -> every value), as RequestValidator reads them."""

    @classmethod
    def parse(cls, text: str) -> "Form":
        form = cls()
        for name, value in parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace"):
            form.setdefault(name, []).append(value)
        return form

    def getall(self, name: str) -> list[str]:
        return self[name]

    def first(self, name: str) -> str:
        return self.get(name, [""])[0]


@dataclass(frozen=True)
class Assistant:
    """Rasa as the messages reach it: the agent (its conversations) and the handler of new messages."""

    agent: Any
    on_new_message: OnNewMessage

    async def holds(self, message: Received) -> bool:
        """Whether the conversation holds the message already (it reached Rasa)."""
        return await replies_to(self.agent, message.sender_id, message.message_sid) is not None

    async def last_buttons(self, sender_id: str) -> list[dict[str, Any]]:
        """The buttons of the bot's last answer, to read a numbered reply."""
        tracker = await self.agent.tracker_store.retrieve(sender_id)
        for event in reversed(tracker.events if tracker else []):
            if isinstance(event, UserUttered):
                break
            if isinstance(event, BotUttered) and event.data.get("buttons"):
                return event.data["buttons"]
        return []


@dataclass(frozen=True)
class Received:
    """A message to answer: its MessageSid, the sender's pseudonym, the fields Twilio posted, and
    the assistant it goes to. `taken_over`: claimed from a process that stopped, which may have
    passed it to Rasa already."""

    message_sid: str
    sender_id: str
    form: Form
    assistant: Assistant
    taken_over: bool = False

    @property
    def text(self) -> str:
        return self.form.first("Body")

    @property
    def pictures(self) -> bool:
        return self.form.first("NumMedia") not in ("", "0")

    def earlier(self, message_sid: str, request: str, taken_over: bool) -> Received:
        """One of the same sender's earlier messages, from its request kept in the inbox."""
        return replace(self, message_sid=message_sid, form=Form.parse(request), taken_over=taken_over)
