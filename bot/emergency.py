"""The emergency answer and the danger question, in the domain's words (bot/domain/safety.yml), so
that the channels, which answer by themselves when Rasa cannot (a conversation handed to staff,
storage down), say exactly what the assistant says, in the patient's language."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

import safety

SAFETY_DOMAIN = Path(__file__).resolve().parent / "domain" / "safety.yml"

EMERGENCY_RESPONSE = "utter_emergency"  # channels recognise the emergency answer by this name
DANGER_QUESTION = "utter_ask_danger"
ENGLISH = "en"
# The NLU's names for what safety/ decides (bot/nlu/red_flag_classifier.py sets them).
EMERGENCY_INTENT = "emergency"
POSSIBLE_EMERGENCY_INTENT = "possible_emergency"
RED_FLAG_ENTITY = "red_flag"
LANGUAGE_ENTITY = "language"


def _conditions(variation: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["value"] for c in variation.get("condition") or []}


@lru_cache(maxsize=None)
def _responses(name: str) -> tuple[dict[str, Any], ...]:
    return tuple(yaml.safe_load(SAFETY_DOMAIN.read_text(encoding="utf-8"))["responses"][name])


def _pick(name: str, **slots: str) -> dict[str, Any]:
    """The variation Rasa would choose with these slots: the one whose conditions all hold, else the default."""
    variations = _responses(name)
    for variation in variations:
        conditions = _conditions(variation)
        if conditions and all(slots.get(k) == v for k, v in conditions.items()):
            return variation
    return next(v for v in variations if not v.get("condition"))


def emergency_text(line: str, language: str = ENGLISH) -> str:
    """What to tell someone whose emergency leads to `line` (call_911, crisis_988, poison_control)."""
    return _pick(EMERGENCY_RESPONSE, red_flag=line, language=language)["text"]


def answer_to(assessment: safety.Assessment) -> str:
    """The emergency answer for a message safety/ found to be, or maybe be, an emergency."""
    return emergency_text(assessment.line or safety.CALL_911, assessment.language)


def danger_question(language: str = ENGLISH) -> dict[str, Any]:
    """The danger question as a bot message: text and yes/no buttons."""
    variation = _pick(DANGER_QUESTION, language=language)
    return {"text": variation["text"], "buttons": variation["buttons"]}
