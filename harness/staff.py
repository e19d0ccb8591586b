"""Staff accounts for the console's tests, made with the console's own command line."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys

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
