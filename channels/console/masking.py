"""Contact data masked in what staff read: phone numbers show their last four digits
("•••• 2618"), e-mail addresses their domain ("•••@example.org")."""

from __future__ import annotations

import re

_PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?(\d{4})(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")


# The clinic's own published contact details are not a patient's: never masked.
PUBLIC = {"4694212618", "support@healthtigo.com"}


def _phone(match: re.Match) -> str:
    return match.group(0) if re.sub(r"\D", "", match.group(0))[-10:] in PUBLIC else f"•••• {match.group(1)}"


def _email(match: re.Match) -> str:
    return match.group(0) if match.group(0).lower() in PUBLIC else f"•••@{match.group(1)}"


def mask(text: str) -> str:
    return _EMAIL.sub(_email, _PHONE.sub(_phone, text))


def has_contact(text: str) -> bool:
    return mask(text) != text
