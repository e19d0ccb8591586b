"""Rasa NLU component that applies safety/ to every message.

It runs after DIETClassifier and FallbackClassifier (components run in config order), so its
word is final:
- an emergency (safety's level EMERGENCY) becomes the `emergency` intent;
- uncertain evidence (level ASK) becomes `possible_emergency`, which asks whether someone is in
  danger now before anything else;
- otherwise the model's intent stands, but never `emergency` or `possible_emergency`: whether a
  message is an emergency is safety/'s decision alone, context rules included.
For the first two it adds a `red_flag` entity naming the emergency line to lead with (911, 988 or
Poison Control) and a `language` entity ("en" or "es"), which fill the slots the emergency
response's variations read.
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

import safety
from bot.emergency import EMERGENCY_INTENT, LANGUAGE_ENTITY, POSSIBLE_EMERGENCY_INTENT, RED_FLAG_ENTITY

INTENTS = {safety.EMERGENCY: EMERGENCY_INTENT, safety.ASK: POSSIBLE_EMERGENCY_INTENT}
FALLBACK_INTENT = "nlu_fallback"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RedFlagClassifier(GraphComponent, IntentClassifier):
    """Sets the emergency intents from safety's assessment of the message."""

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
        safety.assess("")  # load the layers now, not on the first patient's message
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            assessment = safety.assess(text)
            ranking = [
                r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) not in INTENTS.values()
            ]
            intent_name = INTENTS.get(assessment.level)
            if intent_name is None:
                predicted = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
                if predicted in INTENTS.values():  # the model's guess is not safety's decision
                    fallback = (
                        ranking[0] if ranking else {INTENT_NAME_KEY: FALLBACK_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
                    )
                    message.set(INTENT, fallback, add_to_output=True)
                    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
                continue
            intent = {INTENT_NAME_KEY: intent_name, PREDICTED_CONFIDENCE_KEY: 1.0}
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
            found = [
                {
                    "entity": name,
                    "value": value,
                    "start": 0,
                    "end": len(text),
                    "confidence": 1.0,
                    "extractor": type(self).__name__,
                }
                for name, value in ((RED_FLAG_ENTITY, assessment.line), (LANGUAGE_ENTITY, assessment.language))
            ]
            message.set(ENTITIES, [*(message.get(ENTITIES) or []), *found], add_to_output=True)
        return messages
