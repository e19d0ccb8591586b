"""When a custom action fails, the patient is told so instead of getting no answer.

Rasa 3.6 logs a failed custom action (action server down, error, timeout) and
carries on without a word to the patient. This start-up patch wraps
RemoteAction.run: a failure becomes the `utter_action_failed` response, and the
log line names the action and the kind of error only (the error text of an
action may quote what the patient said). A rejection (a form that cannot fill
its slot) is not a failure and passes through.
"""

from __future__ import annotations

import functools
import logging

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance

logger = logging.getLogger(__name__)

FAILED_RESPONSE = "utter_action_failed"


def install() -> None:
    """Wrap RemoteAction.run once."""
    if getattr(RemoteAction.run, "answers_failures", False):
        return
    original = RemoteAction.run

    @functools.wraps(original)
    async def run(self, output_channel, nlg, tracker, domain):
        try:
            return await original(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except Exception as error:  # any failure: the patient must still get an answer
            logger.error("Custom action %s failed (%s).", self.name(), type(error).__name__)
            reply = await nlg.generate(FAILED_RESPONSE, tracker, output_channel.name())
            return [create_bot_utterance(reply)] if reply else []

    run.answers_failures = True
    RemoteAction.run = run
