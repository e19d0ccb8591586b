"""The production profile's own Redis: a redis-server on the loopback at REDIS_PORT that requires
REDIS_PASSWORD and keeps nothing on disk, so that the machine's Redis (shared, and perhaps without a
password) is neither used nor changed.

Its configuration, which holds the password, is written into the profile's run folder with mode
0600; the password is never on a command line, where any user's `ps` would show it.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from privacy.store.private_files import open_private
from runtime.serve import redis_unreachable


def binary() -> str | None:
    return shutil.which("redis-server") or shutil.which("redis-server", path="/usr/bin:/usr/sbin")


def _quoted(value: str) -> str:
    """`value` as a string of redis.conf."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class RedisServer:
    """The profile's redis-server, with its configuration and log in `run_dir`."""

    env: Mapping[str, str]
    run_dir: Path
    popen: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def config_path(self) -> Path:
        return self.run_dir / "redis.conf"

    @property
    def log_path(self) -> Path:
        return self.run_dir / "redis.log"

    def write_config(self) -> Path:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        lines = [
            "bind 127.0.0.1",
            f"port {self.env['REDIS_PORT']}",
            f"requirepass {_quoted(self.env['REDIS_PASSWORD'])}",
            'save ""',
            "appendonly no",
            f"dir {_quoted(str(self.run_dir))}",
            f"logfile {_quoted(str(self.log_path))}",
        ]
        with open_private(self.config_path) as config:
            config.write("\n".join(lines) + "\n")
        return self.config_path

    def start(self, timeout: float = 30) -> "RedisServer":
        """Start it and wait until it answers to REDIS_PASSWORD; RuntimeError when it does not."""
        self.popen = subprocess.Popen([binary() or "redis-server", str(self.write_config())])
        deadline = time.monotonic() + timeout
        while reason := redis_unreachable(self.env["REDIS_URL"], self.env["REDIS_PASSWORD"]):
            if self.popen.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"redis-server did not answer on port {self.env['REDIS_PORT']} ({reason}): "
                    f"see {self.log_path}; if the port is taken, set REDIS_PORT."
                )
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
