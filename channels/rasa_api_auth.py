"""How a client authenticates to the rasa server's HTTP API: a short-lived JWT, signed with
RASA_API_TOKEN, in the Authorization header (never a token in a URL, where logs and proxies
keep it). The rasa server checks it with `--jwt-secret` (runtime/serve.py)."""

from __future__ import annotations

import time

import jwt

ALGORITHM = "HS256"
LIFETIME = 300  # seconds


def api_headers(secret: str, username: str = "staff-console") -> dict[str, str]:
    """The Authorization header of one API call: an admin JWT valid for LIFETIME seconds."""
    now = int(time.time())
    claims = {"user": {"username": username, "role": "admin"}, "iat": now, "exp": now + LIFETIME}
    return {"Authorization": f"Bearer {jwt.encode(claims, secret, algorithm=ALGORITHM)}"}
