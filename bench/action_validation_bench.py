"""How long Rasa takes to validate one action-server answer: its own `jsonschema.validate`
per call, and the validator compiled once by bot/plugins/action_validation.py.

Run: .venv/bin/python bench/action_validation_bench.py [--calls N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import jsonschema  # noqa: E402
from rasa.core.actions.action import RemoteAction  # noqa: E402

from bot.plugins import action_validation  # noqa: E402

# A booking step: the form's slots set, one response.
ANSWER = {
    "events": [
        {"event": "slot", "name": f"book_{name}", "value": "x", "timestamp": None}
        for name in ("visit_type", "provider", "when", "slot", "offers", "confirm")
    ]
    + [{"event": "active_loop", "name": "booking_form"}],
    "responses": [{"response": "utter_ask_book_slot", "buttons": [{"title": "Mon 9:00", "payload": "Mon 9:00"}] * 5}],
}


def per_call(check, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        check()
    return (time.perf_counter() - start) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    calls = parser.parse_args().calls
    spec = RemoteAction.action_response_format_spec()
    stock = per_call(lambda: jsonschema.validate(ANSWER, spec), calls)
    action_validation.install()
    remote = RemoteAction("action_bench", None)
    compiled = per_call(lambda: remote._validate_action_result(ANSWER), calls)
    print(
        f"validate one answer: Rasa's jsonschema.validate {stock:8.1f} µs, compiled once {compiled:8.1f} µs "
        f"({stock / compiled:.0f}× faster, {calls} calls each)"
    )


if __name__ == "__main__":
    main()
