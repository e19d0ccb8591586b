"""Where the verified patient's requests stand: their rights requests (with the due date while
open) and their tickets other than handoffs."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import call, require_identity, vault, verified

STATUS_WORDS = {
    "received": "received",
    "identity_verified": "received, identity checked",
    "in_progress": "being handled",
    "completed": "completed",
    "denied": "declined",
    "partially_completed": "partly completed",
    "open": "waiting for our team",
    "claimed": "being handled",
    "closed": "done",
}


class ActionRequestStatus(Action):
    def name(self) -> str:
        return "action_request_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if not verified(tracker):
            return require_identity(self.name())
        subject = verified(tracker)
        requests = await call(vault().rights.list, open_only=False, subject_id=subject)
        tickets = [t for t in await call(vault().tickets.of_subject, subject) if t.kind != "handoff"]
        lines = [
            f"- {r.id} ({r.kind.replace('_', ' ')}): {STATUS_WORDS[r.status]}"
            + (f", due by {r.due_at:%B %-d}" if r.status in ("received", "identity_verified", "in_progress") else "")
            for r in requests
        ]
        lines += [f"- {t.id} ({t.kind.replace('_', ' ')}): {STATUS_WORDS[t.status]}" for t in tickets]
        if not lines:
            dispatcher.utter_message(response="utter_no_requests")
        else:
            dispatcher.utter_message(response="utter_request_statuses", statuses="\n".join(lines))
        return []
