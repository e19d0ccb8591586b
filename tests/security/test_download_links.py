"""Item 5: download links. A link lasts 30 minutes and releases nothing by itself: opening it
shows a page and sends nothing (a link preview gets no data), the copy comes only after a POST
with a fresh code sent to the copy's own patient, and each use is audited with a keyed hash of
the client's address. The transcript keeps a placeholder, never the link."""

import json
import re

import pytest
import requests

from harness.clients import Chat
from harness.registration import asked_as_new_patient, download, last_code
from harness.rights import CLIENT, downloaded, patient
from privacy.errors import NotFound
from privacy.subjects.identity import VerificationFailed


def link_in(reply: str) -> str:
    return re.search(r"(http://\S+/webhooks/downloads/[A-Za-z0-9_-]+)", reply).group(1)


def test_a_link_expires_in_30_minutes_and_needs_a_code_sent_to_its_own_patient(clocked_vault, clock):
    vault = clocked_vault
    owner = patient(vault).subject_id
    other = patient(vault, name="Other Person", phone="214-555-0148", email=None).subject_id
    token, _ = vault.exports.create(owner, '{"copy": true}')
    code_id = vault.identity.send_code(other)
    with pytest.raises(VerificationFailed, match="not sent for this copy"):
        vault.exports.fetch(token, code_id, last_code(vault, other), CLIENT)
    assert json.loads(downloaded(vault, token, owner)) == {"copy": True}
    uses = [e for e in vault.audit.entries(owner) if e["action"] in ("export.code_sent", "export.download")]
    assert [e["action"] for e in uses] == ["export.download", "export.code_sent"]  # newest first
    assert all(CLIENT not in e["detail"] and len(json.loads(e["detail"])["client"]) == 64 for e in uses)
    clock.advance(minutes=31)
    with pytest.raises(NotFound, match="expired"):
        vault.exports.send_code(token, CLIENT)


def test_opening_a_link_sends_nothing_and_the_copy_needs_the_code(stack, stack_vault):
    vault = stack_vault
    name, subject, reply = asked_as_new_patient(Chat(stack), vault, "what information do you have about me?")
    link = link_in(reply)
    sent_before = len(vault.outbox.messages(subject))
    preview = requests.get(link, timeout=30)
    assert preview.status_code == 200 and name not in preview.text and "records" not in preview.text
    assert (
        preview.headers["Cache-Control"] == "no-store"
        and "frame-ancestors 'none'" in preview.headers["Content-Security-Policy"]
    )
    assert len(vault.outbox.messages(subject)) == sent_before  # a GET sends no code
    form = requests.post(f"{link}/code", timeout=30)
    code_id = re.search(r'name="code_id" value="([^"]+)"', form.text).group(1)
    refused = requests.post(link, data={"code_id": code_id, "code": "not-a-code"}, timeout=30)
    assert "attachment" not in refused.headers.get("Content-Disposition", "") and name not in refused.text
    copy = download(link, vault, subject)
    assert "attachment" in copy.headers["Content-Disposition"]
    assert json.loads(copy.text)["records"]["patient"]["name"] == name


def test_the_transcript_keeps_a_placeholder_not_the_link(stack, stack_vault):
    chat = Chat(stack)
    token = link_in(asked_as_new_patient(chat, stack_vault, "send me a copy of my data")[2]).rsplit("/", 1)[1]
    stored = json.dumps(stack.tracker(chat.sender)["events"])
    assert token not in stored and "a download link, shown to the patient once" in stored
