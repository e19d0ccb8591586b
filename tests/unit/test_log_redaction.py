"""Log records made safe to write (privacy/logs): each case of security item 12 on one record, and
Rasa's structured log lines (bot/plugins/structured_logs.py)."""

from __future__ import annotations

import logging
import traceback

import rasa.utils.log_utils as log_utils
import structlog
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from bot.plugins import structured_logs
from bot.plugins.log_messages import TEMPLATES
from privacy.logs.messages import Templates, pseudonym
from privacy.logs.payloads import WITHHELD, summary
from privacy.logs.records import AccessLogRequests, redact
from privacy.logs.urls import logged_path

KNOWN = Templates(TEMPLATES)
CANARY = "Canary"  # named, not written, in the lines a traceback quotes


def logged(name: str, msg, *args, exc_info=None, **extra) -> str:
    """What `logger(name).error(msg, *args)` writes once redacted."""
    record = logging.getLogger(name).makeRecord(name, logging.ERROR, __file__, 1, msg, args, exc_info, extra=extra)
    redact(record, KNOWN)
    AccessLogRequests().filter(record)
    return logging.Formatter("%(message)s").format(record)


def test_an_apostrophe_leaks_nothing_of_what_follows():
    line = logged("rasa.shared.core.trackers", "Tried to access non existent slot 'I'm worried about Canary'")
    assert line == f"Tried to access non existent slot '{WITHHELD}'"


def test_a_conversation_id_shows_as_the_same_pseudonym_throughout_the_log():
    first, again = (logged("rasa.core.lock_store", "Acquired lock for conversation 'ada@example.org'.") for _ in "12")
    other = logged("rasa.core.lock_store", "Acquired lock for conversation 'someone-else'.")
    assert first == again == f"Acquired lock for conversation '{pseudonym('ada@example.org')}'."
    assert "ada" not in first and other != first


def test_rasas_events_show_their_type_and_name_only():
    events = [
        UserUttered("I was born 07/29/1937", {"name": "inform", "confidence": 0.9}, [{"entity": "date", "value": "x"}]),
        SlotSet("id_birth_date", "07/29/1937"),
        BotUttered("Thanks, Ada", metadata={"utter_action": "utter_thanks"}),
        ActionExecuted("action_listen"),
    ]
    assert summary(events) == [
        {"event": "user", "name": "inform"},
        {"event": "slot", "name": "id_birth_date"},
        {"event": "bot", "name": "utter_thanks"},
        {"event": "action", "name": "action_listen"},
    ]
    slots = {"id_name": "Ada Lovelace", "requested_slot": "id_birth_date", "intake_severity": 7.0}
    assert summary(slots) == {"id_name": WITHHELD, "requested_slot": "id_birth_date", "intake_severity": 7.0}


def test_a_librarys_arguments_show_numbers_and_paths_never_text():
    line = logged("urllib3.connectionpool", '"%s %s" %s', "GET", "/messages?token=Canary", 200)
    assert line == f'"{WITHHELD} /messages" 200'
    assert logged("engineio.server", "%s: Sending packet %s data %s", "sid", "MESSAGE", '["x", "Canary"]') == (
        f"{WITHHELD}: Sending packet {WITHHELD} data {WITHHELD}"
    )


def test_this_projects_arguments_are_kept_and_structured_ones_summarized():
    assert logged("channels.sms.channel", "SMS %s from %s was already handled.", "SM1", "sms_ab") == (
        "SMS SM1 from sms_ab was already handled."
    )
    assert logged("channels.x", "slots %s", {"id_name": "Ada"}) == f"slots {{'id_name': '{WITHHELD}'}}"
    assert logged("rasa_sdk.endpoint", ValueError("No action named 'I'm Canary'")) == "ValueError"


def test_an_exception_keeps_its_frames_and_types_never_its_message():
    try:
        try:
            {}[CANARY]
        except KeyError as error:
            raise ValueError(f"I'm {CANARY}") from error
    except ValueError as error:
        line = logged("runtime.action_server", "Action request failed: %s", "ValueError", exc_info=error)
    assert CANARY not in line
    assert "KeyError: [message withheld]" in line and "ValueError: [message withheld]" in line
    assert "The above exception was the direct cause of the following exception:" in line
    assert line.startswith("Action request failed: ValueError\nTraceback (most recent call last):")


def test_a_traceback_rasa_formatted_is_one_without_messages():
    try:
        raise RuntimeError(f"I'm {CANARY}")
    except RuntimeError:
        line = logged("rasa.server", traceback.format_exc())
        unexpected = logged("rasa.server", "An unexpected error occurred. Error: Unknown string format: I'm Canary")
    assert line.startswith("Traceback (most recent call last):\n  File ") and line.endswith(
        "RuntimeError: [message withheld]"
    )
    assert unexpected == f"An unexpected error occurred. Error: {WITHHELD}"


def test_an_access_log_shows_the_method_and_the_path_without_its_secrets():
    request = "GET http://host/webhooks/downloads/TOKEN?token=Canary"
    record = logging.getLogger("sanic.access").makeRecord(
        "sanic.access", logging.INFO, __file__, 1, "", (), None, extra={"request": request}
    )
    AccessLogRequests().filter(record)
    assert record.request == "GET /webhooks/downloads/-"
    assert logged_path("http://h/conversations/ada@example.org/tracker?until=1") == "/conversations/-/tracker"


def test_rasas_structured_lines_show_names_and_shapes_and_no_locals(caplog):
    structured_logs.install()
    log_utils.configure_structlog(logging.DEBUG)
    log = structlog.get_logger()

    def handle(text: str) -> None:
        said = f"I'm {text}"  # a local variable: Rasa's JSON tracebacks would show it
        raise ValueError(said)

    with caplog.at_level(logging.DEBUG):
        log.error("processor.message.parse", parse_data_text="I'm Canary", parse_data_intent={"name": "greet"})
        try:
            handle(CANARY)
        except ValueError:
            log.exception("rest.message.received.failure", text="Canary")
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2 and not [line for line in lines if CANARY in line]
    assert "processor.message.parse" in lines[0] and "greet" in lines[0] and WITHHELD in lines[0]
    assert "ValueError: [message withheld]" in lines[1] and "raise ValueError(said)" in lines[1]
