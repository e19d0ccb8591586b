"""What staff read of a patient's words, masked: phone numbers of any country show their last
four digits ("•••• 2618"), e-mail addresses their domain ("•••@example.org"), dates with a
year ("a date": dates of birth) and six-digit numbers ("••••••": one-time codes) nothing.
A reveal, audited, shows one message whole."""

from __future__ import annotations

import re

import phonenumbers

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|"
    "september|october|november|december|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|"
    "setiembre|octubre|noviembre|diciembre"
)
_DATE = re.compile(
    r"(?<![\d/.-])(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2})(?![\d/.-])"
    rf"|\b(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)? (?:of |de )?(?:{_MONTHS})\.?,? (?:de |del )?\d{{4}}\b",
    re.IGNORECASE,
)
_CODE = re.compile(r"(?<![\d-])\d{6}(?![\d-])")
DATE_MASK, CODE_MASK = "[a date]", "••••••"

# The clinic's own published contact details are not a patient's: never masked.
PUBLIC = {"4694212618", "support@healthtigo.com"}


def _phones(text: str) -> str:
    for match in reversed(list(phonenumbers.PhoneNumberMatcher(text, "US"))):
        digits = re.sub(r"\D", "", match.raw_string)
        if digits[-10:] not in PUBLIC:
            text = f"{text[: match.start]}•••• {digits[-4:]}{text[match.end :]}"
    return text


def _email(match: re.Match) -> str:
    return match.group(0) if match.group(0).lower() in PUBLIC else f"•••@{match.group(1)}"


def mask(text: str) -> str:
    text = _DATE.sub(DATE_MASK, _EMAIL.sub(_email, text))
    return _CODE.sub(CODE_MASK, _phones(text))


def has_contact(text: str) -> bool:
    return mask(text) != text
