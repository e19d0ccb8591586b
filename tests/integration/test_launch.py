"""`make run`'s launcher: both servers in one process group, one signal stops both, a crash is reported."""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

from harness.servers import PROJECT_ROOT, migrate_vault, server_environment


def launch(env):
    migrate_vault(env)
    return subprocess.Popen(
        [sys.executable, "-m", "runtime.launch"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def read_until(process, marker, timeout=240):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"{marker!r} not seen:\n{''.join(seen)[-3000:]}")


def test_both_servers_start_answer_and_stop_on_one_interrupt(model, tmp_path):
    env = server_environment(tmp_path / "test.env")
    process = launch(env)
    try:
        output = read_until(process, "Press Ctrl-C to stop.")
        assert f"http://127.0.0.1:{env['RASA_PORT']}/webhooks/rest/webhook" in output
        reply = requests.post(
            f"http://127.0.0.1:{env['RASA_PORT']}/webhooks/rest/webhook",
            json={"sender": "launch-test", "message": "what's your e-mail address?"},
            headers={"Authorization": f"Bearer {env['REST_CLIENT_TOKEN']}"},
            timeout=60,
        ).json()
        assert "support@healthtigo.com" in reply[0]["text"]
        demo = f"http://127.0.0.1:{env['RASA_PORT']}/webhooks/widget/"
        assert demo in output and "widget.js" in requests.get(demo, timeout=30).text
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    for port in (env["RASA_PORT"], env["ACTION_SERVER_PORT"]):
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", int(port))) != 0


@pytest.mark.parametrize("server, port_variable", [("actions", "ACTION_SERVER_PORT"), ("rasa", "RASA_PORT")])
def test_a_crash_of_one_server_is_reported_and_stops_the_other(model, tmp_path, server, port_variable):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = server_environment(tmp_path / "test.env", **{port_variable: str(taken.getsockname()[1])})
        process = launch(env)
        try:
            output, _ = process.communicate(timeout=240)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode != 0
    assert f"{server} stopped (rc=" in output and f"{server} stopped (rc=0)" not in output
    assert "is in use" in output or "cannot listen" in output
    assert "The assistant is ready" not in output
