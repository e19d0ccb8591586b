"""Access and export: the patient's data, carried out and delivered at once as a download
link that expires."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import settings
from bot.actions.common import call, moved_to_web, require_identity, vault, verified
from bot.actions.rights import ASSISTANT, explain, open_verified
from privacy import VaultError


class _Delivered:
    """Access and export: opened, carried out and delivered as an expiring link at once."""

    kind = ""
    response = ""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if moved_to_web(dispatcher, tracker, "utter_records_on_web"):
            return []
        if not verified(tracker):
            return require_identity(self.name())
        try:
            request = await open_verified(tracker, self.kind)
            result = await call(vault().rights.approve, request.id, actor=ASSISTANT)
        except VaultError as error:
            return explain(dispatcher, error)
        dispatcher.utter_message(
            response=self.response,
            reference=request.id,
            link=f"{settings.PUBLIC_URL}/webhooks/downloads/{result.download_token}",
        )
        return []


class ActionDataAccess(_Delivered, Action):
    kind, response = "access", "utter_access_ready"

    def name(self) -> str:
        return "action_data_access"


class ActionDataExport(_Delivered, Action):
    kind, response = "portability", "utter_export_ready"

    def name(self) -> str:
        return "action_data_export"
