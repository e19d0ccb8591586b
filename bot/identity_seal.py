"""The verified patient, as the `verified_subject` slot holds it: sealed by the action server.

The value is the subject id, an expiry and an HMAC over both and the conversation id, under
IDENTITY_SEAL_KEY, which only the action server holds (runtime/launch.py withholds it from the
rasa server and the console). Whoever can write slots through Rasa's HTTP API therefore cannot
make a value, move one to another conversation, or use one after it expired: `opened` answers
None for each, and the patient is asked who they are again.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from typing import Optional

import settings

logger = logging.getLogger(__name__)


def _mac(key: str, sender_id: str, subject: str, expires: int) -> str:
    message = f"verified_subject\n{sender_id}\n{subject}\n{expires}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def _key() -> str:
    if not settings.IDENTITY_SEAL_KEY:
        raise RuntimeError("IDENTITY_SEAL_KEY is not set: the action server cannot vouch for a patient.")
    return settings.IDENTITY_SEAL_KEY


def sealed(sender_id: str, subject: str, now: Optional[float] = None) -> str:
    """The slot value saying that `subject` was verified in conversation `sender_id`, for IDENTITY_LIFETIME."""
    expires = int(now if now is not None else time.time()) + settings.IDENTITY_LIFETIME
    return f"{subject}.{expires}.{_mac(_key(), sender_id, subject, expires)}"


def opened(sender_id: str, value: Optional[str], now: Optional[float] = None) -> Optional[str]:
    """The subject id a sealed value vouches for in conversation `sender_id`, or None when there is
    none, or it was not sealed here, or for another conversation, or it expired."""
    if not value:
        return None
    subject, _, rest = value.partition(".")
    expires, _, mac = rest.partition(".")
    if not (subject and expires.isdigit() and mac):
        logger.warning("A verified_subject value in %s is not sealed: not trusted.", sender_id)
        return None
    if not hmac.compare_digest(mac, _mac(_key(), sender_id, subject, int(expires))):
        logger.warning("A verified_subject value in %s has a wrong seal: not trusted.", sender_id)
        return None
    if int(expires) <= (now if now is not None else time.time()):
        return None
    return subject
