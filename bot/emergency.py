"""The emergency answer's words, read from the domain (bot/domain/safety.yml), so that the
channels, which answer emergencies in paused conversations before Rasa, say exactly what the
assistant says."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

SAFETY_DOMAIN = Path(__file__).resolve().parents[1] / "domain" / "safety.yml"


EMERGENCY_RESPONSE = "utter_emergency"  # channels recognise the emergency answer by this name


@lru_cache(maxsize=1)
def _variations() -> dict[str, str]:
    """Guidance line (call_911, crisis_988, poison_control) -> text; "" is the general one."""
    found = {}
    for variation in yaml.safe_load(SAFETY_DOMAIN.read_text())["responses"][EMERGENCY_RESPONSE]:
        condition = variation.get("condition") or [{}]
        found[condition[0].get("value", "")] = variation["text"]
    return found


def emergency_text(guidance: str) -> str:
    """What to tell someone in an emergency whose red flag leads to `guidance`."""
    variations = _variations()
    return variations.get(guidance, variations[""])
