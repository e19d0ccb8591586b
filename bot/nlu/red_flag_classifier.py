"""Rasa NLU component that turns a red flag into the `emergency` intent.

It runs after DIETClassifier and FallbackClassifier (components run in config
order), so its word is final: whatever the model thought, a message with a red
flag is an emergency. It also adds a `red_flag` entity whose value names the
emergency line to lead with, which fills the `red_flag` slot that the
emergency response's variations read.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.safety.red_flags import CALL_911, detect

EMERGENCY_INTENT = "emergency"
RED_FLAG_ENTITY = "red_flag"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RedFlagClassifier(GraphComponent, IntentClassifier):
    """Sets the emergency intent when the red-flag check matches."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [IntentClassifier]

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RedFlagClassifier":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            flag = detect(text)
            predicted = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if flag is None and predicted != EMERGENCY_INTENT:
                continue
            if flag is not None:
                intent = {INTENT_NAME_KEY: EMERGENCY_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, intent, add_to_output=True)
                ranking = [
                    r for r in message.get(INTENT_RANKING_KEY) or []
                    if r.get(INTENT_NAME_KEY) != EMERGENCY_INTENT
                ]
                message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
            entity = {
                "entity": RED_FLAG_ENTITY,
                "value": flag.guidance if flag else CALL_911,
                "start": 0,
                "end": len(text),
                "confidence": 1.0,
                "extractor": type(self).__name__,
            }
            message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
        return messages
