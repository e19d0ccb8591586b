"""Normalizing contact data, so that lookups by blind index find what was stored."""

from __future__ import annotations

import re
from datetime import date

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from privacy.errors import InvalidInput

DEFAULT_REGION = "US"


def phone(text: str) -> str:
    """E.164 form of a phone number ("(469) 421-2618" -> "+14694212618")."""
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidInput("That phone number is not valid.") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput("That phone number is not valid.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def region(e164: str) -> str:
    """The two-letter region of a number in E.164 form ("+14694212618" -> "US")."""
    return phonenumbers.region_code_for_number(phonenumbers.parse(e164)) or ""


def email(text: str) -> str:
    """Lower-cased, validated e-mail address (no DNS lookup)."""
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise InvalidInput("That e-mail address is not valid.") from None


def name(text: str) -> str:
    """Collapsed whitespace; refuses empty names."""
    cleaned = re.sub(r"\s+", " ", text).strip()
    if not cleaned or len(cleaned) > 200:
        raise InvalidInput("Please give a name of 1 to 200 characters.")
    return cleaned


def name_birth_key(full_name: str, birth_date: date) -> str:
    """What the name + date-of-birth index is computed over."""
    return f"{name(full_name).casefold()}|{birth_date.isoformat()}"
