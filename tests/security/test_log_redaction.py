"""Security item 12: a canary conversation through the real servers, then every log they wrote
(rasa, action server, console; nginx's access log in the production profile) searched for each
canary (docs/security.md). The servers log at DEBUG, and so do the libraries Rasa configures
(tests/conftest.py): the logs searched are the most talkative the servers write."""

from __future__ import annotations

import re
from datetime import date

import requests

from harness.clients import Browser, Chat
from harness.registration import new_patient, verify

BORN = date(1937, 7, 29)
WORRY = "Xanthorrhoea"  # after an apostrophe: "I'm worried about ..."
SYMPTOM = "Vermilionwort"  # unquoted text, kept in the intake's slots
WIDGET = "Quodlibetaria"
SMS = "Zymurgical"
URL_TOKEN = "Tokenoscopia"
ERRORS = ("Whenceforth", "Staffwort", "Slotterhorn")  # in an exception's, a validation error's, an error's message


def leaks(logs: str, canaries) -> dict[str, list[str]]:
    """Each canary found in `logs`, with the first lines it is in."""
    lines = logs.splitlines()
    return {canary: [line for line in lines if canary in line][:3] for canary in canaries if canary in logs}


def append(stack, sender: str, events: list[dict]) -> requests.Response:
    """Events appended through Rasa's HTTP API, as the staff console appends its replies."""
    url = f"{stack.api_url}/conversations/{sender}/tracker/events"
    return requests.post(url, json=events, headers=stack.api_headers(), timeout=60)


def test_no_canary_of_a_conversation_reaches_any_log(stack, stack_vault, phone):
    name, born, number, subject = new_patient(stack_vault, born=BORN)
    chat = Chat(stack)
    chat("what information do you have about me?")
    link = re.search(r"(http://\S+/webhooks/downloads/\S+)", verify(chat, stack_vault, name, born, subject)).group(1)
    chat(f"I'm worried about {WORRY}")
    intake = Chat(stack)
    assert "not feeling well" in intake(f"my knee hurts since Tuesday, it is {SYMPTOM} pain")
    browser = Browser(stack)
    browser.session()
    assert browser.say(f"I'm worried about {WIDGET}, it's bad")
    browser.close()
    assert phone.text(f"hi, it's {SMS} here")
    assert requests.get(f"{link}?token={URL_TOKEN}", timeout=30).status_code == 200
    assert requests.get(f"{stack.base_url}/webhooks/widget/?token={URL_TOKEN}", timeout=30).status_code == 200
    unreadable, malformed, unknown = ERRORS
    answered = {  # the status each event appended gets
        500: {"event": "reminder", "intent": "greet", "date_time": f"when I'm {unreadable}"},  # dateutil quotes it
        400: {"event": "bot", "text": f"I'm {malformed}", "metadata": "x"},  # the validation error quotes the event
        200: {"event": "slot", "name": f"I'm {unknown}", "value": 1},  # Rasa logs the unknown slot's name
    }
    for status, event in answered.items():
        assert append(stack, chat.sender, [event]).status_code == status, event

    logs = stack.logs()
    canaries = [
        *name.split(),
        born.strftime("%m/%d/%Y"),
        born.isoformat(),
        number,
        WORRY,
        SYMPTOM,
        WIDGET,
        SMS,
        phone.number,
        phone.number[2:],
        URL_TOKEN,
        link.rsplit("/", 1)[1],  # the download token, in the link's path
        chat.sender,  # a REST client's own id
        *ERRORS,
    ]
    found = leaks(logs, canaries)
    assert not found, "\n".join(f"{canary} in: {line}" for canary, lines in found.items() for line in lines)
    # ... and the lines are still there, with what they are for
    assert "DEBUG" in logs and "processor.message.parse" in logs and "'action_data_access'" in logs
    assert "GET /webhooks/downloads/-" in logs  # the access log, without the token or the query string
    assert "An unexpected error occurred. Error: [withheld]" in logs
    assert "Tried to set non existent slot '[withheld]'" in logs
    assert re.search(r"Acquired lock for conversation 'conversation-[0-9a-f]{12}'", logs)
