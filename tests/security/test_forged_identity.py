"""Item 8: identity cannot be forged by writing a slot. Whoever holds the Rasa API token can write
`verified_subject`, but neither a bare subject id nor a value sealed for another conversation
makes the action server speak for that patient; and the key that seals it is given to the
action server alone."""

import uuid
from pathlib import Path

import requests

from harness.clients import Chat
from harness.registration import asked_as_new_patient, new_patient


def write_slot(stack, sender: str, value: str) -> None:
    written = requests.post(
        f"{stack.api_url}/conversations/{sender}/tracker/events",
        headers=stack.api_headers(),
        json=[{"event": "slot", "name": "verified_subject", "value": value}],
        timeout=30,
    )
    assert written.status_code == 200


def replies(stack, sender: str, text: str) -> str:
    return " ".join(reply.get("text", "") for reply in stack.say(sender, text))


def test_a_written_subject_id_identifies_no_one(stack, stack_vault):
    name, _, _, subject = new_patient(stack_vault)
    attacker = f"forger-{uuid.uuid4().hex}"
    stack.say(attacker, "hello")
    write_slot(stack, attacker, subject)
    answer = replies(stack, attacker, "what information do you have about me?")
    assert "full name" in answer and name not in answer


def test_a_sealed_value_copied_to_another_conversation_identifies_no_one(stack, stack_vault):
    patient = Chat(stack)
    name, subject, _ = asked_as_new_patient(patient, stack_vault, "when is my next appointment?")
    sealed = stack.tracker(patient.sender)["slots"]["verified_subject"]
    assert sealed and sealed != subject
    attacker = f"forger-{uuid.uuid4().hex}"
    stack.say(attacker, "hello")
    write_slot(stack, attacker, sealed)
    answer = replies(stack, attacker, "what information do you have about me?")
    assert "full name" in answer and name not in answer
    assert "no upcoming appointments" in patient("when is my next appointment?")  # still the patient's own


def test_only_the_action_server_holds_the_sealing_key(stack):
    key = stack.env["IDENTITY_SEAL_KEY"].encode()
    processes = lambda part: getattr(part, "members", [part])  # noqa: E731
    for part in (stack.rasa, stack.console, stack.actions):
        for process in processes(part):
            environment = Path(f"/proc/{process.popen.pid}/environ").read_bytes()
            assert (b"IDENTITY_SEAL_KEY=" + key in environment) == (part is stack.actions), process.name
