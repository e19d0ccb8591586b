"""The production profile's nginx configuration, as runtime/production.py renders it."""

from __future__ import annotations

import re
import subprocess

import pytest

from runtime import production


@pytest.fixture
def config(tmp_path) -> str:
    env = production.environment({"PUBLIC_PORT": "18080", "RASA_PORTS": "15005 15006"})
    return production.write_nginx_config(env, tmp_path).read_text()


def blocks(config: str, opening: str) -> list[str]:
    """The text of each `opening { ... }` block (braces balanced)."""
    found = []
    for match in re.finditer(rf"(?m)^[ \t]*{re.escape(opening)}\b[^{{;#]*\{{", config):
        depth, end = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(config[end], 0)
            end += 1
        found.append(config[match.start() : end])
    return found


def test_every_location_keeps_the_headers_that_name_the_client(config):
    # nginx drops a server's proxy_set_header lines in a location that sets any of its own: the
    # replicas would then see every patient as nginx (one address for every rate limit).
    public = next(server for server in blocks(config, "server") if "listen 127.0.0.1:18080" in server)
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in public
    for location in blocks(public, "location"):
        assert "proxy_set_header" not in location, location


def test_the_public_listener_passes_only_the_channels_and_the_widget_socket(config):
    public = next(server for server in blocks(config, "server") if "listen 127.0.0.1:18080" in server)
    passed = {
        re.search(r"location (\S+)", block).group(1) for block in blocks(public, "location") if "proxy_pass" in block
    }
    assert passed == {"/socket.io/", "/webhooks/"}


def test_the_access_log_shows_no_query_string(config):
    # Tokens travel in query strings; $request and $request_uri hold them, as $args and $arg_* do.
    log_format = re.search(r"log_format \w+ (.*?);", config, re.S).group(1)
    assert "$logged_path" in log_format
    assert not re.search(r"\$(request\b|request_uri|args|arg_|query_string)", log_format), log_format


@pytest.mark.skipif(not production.nginx_binary(), reason="nginx is not installed (make nginx)")
def test_nginx_accepts_the_configuration(tmp_path):
    env = production.environment({"PUBLIC_PORT": "18080", "RASA_PORTS": "15005 15006"})
    path = production.write_nginx_config(env, tmp_path)
    checked = subprocess.run(
        [production.nginx_binary(), "-t", "-p", str(tmp_path), "-c", path.name], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
