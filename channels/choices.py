"""Buttons as numbered choices, for channels that can only show text (terminal, SMS)."""

from __future__ import annotations

from typing import Any, Optional


def render(text: str, buttons: list[dict[str, Any]]) -> str:
    """`text` followed by one numbered line per button."""
    lines = [f"{number}. {button.get('title', '')}" for number, button in enumerate(buttons, 1)]
    return "\n".join([text, *lines]) if lines else text


def chosen_payload(reply: str, buttons: list[dict[str, Any]]) -> Optional[str]:
    """The payload of the button numbered `reply` ("2" picks the second), else None."""
    answer = reply.strip().rstrip(".)")
    if answer.isdigit() and 1 <= int(answer) <= len(buttons):
        return buttons[int(answer) - 1].get("payload")
    return None
