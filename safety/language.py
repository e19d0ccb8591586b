"""The language of a message, English or Spanish (lingua, limited to the two, with the models it
ships; it reads short texts such as "ayuda" or "mi bebe tiene fiebre" well)."""

from __future__ import annotations

from functools import lru_cache

from lingua import Language, LanguageDetectorBuilder

ENGLISH, SPANISH = "en", "es"
_CODES = {Language.ENGLISH: ENGLISH, Language.SPANISH: SPANISH}
_SPANISH_MARKS = frozenset("ñ¿¡áéíóú")
# Below this confidence the detector's answer is no answer (e.g. "ok", "si").
MIN_CONFIDENCE = 0.7


@lru_cache(maxsize=1)
def _detector():
    return LanguageDetectorBuilder.from_languages(*_CODES).with_preloaded_language_models().build()


def confident_language(text: str) -> str | None:
    """ "en" or "es" when the text says so clearly, else None."""
    if _SPANISH_MARKS.intersection(text.lower()):
        return SPANISH
    values = _detector().compute_language_confidence_values(text)
    best = values[0] if values else None
    return _CODES[best.language] if best and best.value >= MIN_CONFIDENCE else None


def detect(text: str, default: str = ENGLISH) -> str:
    """ "en" or "es"; `default` when the text is too short to tell."""
    return confident_language(text) or default
