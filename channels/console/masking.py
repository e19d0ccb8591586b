"""Contact data masked in what staff read: phone numbers show their last four digits
("•••• 2618"), e-mail addresses their domain ("•••@example.org")."""
from __future__ import annotations

import re

_PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?(\d{4})(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def mask(text: str) -> str:
    return _EMAIL.sub(lambda m: f"•••@{m.group(1)}", _PHONE.sub(lambda m: f"•••• {m.group(1)}", text))


def has_contact(text: str) -> bool:
    return mask(text) != text
