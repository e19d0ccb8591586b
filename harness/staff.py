"""Staff accounts for the console's tests, made with the console's own command line, and a staff
member's browser talking to the console over HTTP."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys

import pyotp
import requests

from harness.servers import PROJECT_ROOT

PASSWORD = "correct horse battery staple"


def add_staff(stack, role: str, name: str = "") -> tuple[str, str]:
    """A new account made with the console's command line; returns (name, TOTP secret or "")."""
    name = name or f"{role}-{secrets.token_hex(3)}"
    done = subprocess.run(
        [sys.executable, "-m", "channels.console", "add-staff", name, "--role", role, "--password-stdin"],
        input=PASSWORD + "\n",
        cwd=PROJECT_ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    secret = re.search(r"secret=([A-Z2-7]+)", done.stdout)
    return name, secret.group(1) if secret else ""


class Console:
    """A staff member's browser: cookies kept by hand (they are Secure, and this is plain HTTP)."""

    def __init__(self, stack):
        self.base, self.cookies, self.page = stack.console_url, {}, ""

    def _send(self, method: str, path: str, extra=None, **kwargs) -> requests.Response:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        reply = requests.request(
            method,
            self.base + path,
            headers={"Cookie": cookie, **(extra or {})},
            allow_redirects=False,
            timeout=60,
            **kwargs,
        )
        for name, value in reply.cookies.items():
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        if reply.status_code != 302 and reply.headers.get("Content-Type", "").startswith("text/html"):
            self.page = reply.text
        return reply

    def get(self, path: str, headers=None, **params) -> requests.Response:
        return self._send("GET", path, params=params, extra=headers or {})

    def post(self, path: str, csrf: bool = True, **fields) -> requests.Response:
        if csrf:
            fields["csrf"] = re.search(r'name="csrf" value="([^"]*)"', self.page).group(1)
        return self._send("POST", path, data=fields)

    def log_in(self, name: str, password: str = PASSWORD, secret: str = "") -> requests.Response:
        self.get("/login")
        reply = self.post("/login", username=name, password=password)
        if secret and reply.status_code == 302:
            self.get("/totp")
            reply = self.post("/totp", code=pyotp.TOTP(secret).now())
        return reply
