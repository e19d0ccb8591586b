"""Several replicas behind nginx (the production profile, `make test-production`): one
conversation is handled in order whichever replica its messages reach, a staff reply sent
through one replica reaches the patient's socket on the other, and a replica killed while
patients talk loses and repeats nothing, then rejoins."""

import asyncio
import os
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import pytest
import requests

from harness.clients import SMS_PUBLIC_URL, Browser
from harness.patients import Clinic, new_patient, settled
from harness.servers import PRODUCTION

pytestmark = pytest.mark.skipif(not PRODUCTION, reason="needs the production profile's replicas: make test-production")

QUESTIONS = {"what's your phone number?": "469-421-2618", "what's your e-mail address?": "support@healthtigo.com"}


def replies_text(replies):
    return " ".join(reply.get("text", "") for reply in replies)


def test_one_conversation_sent_to_both_replicas_at_once_is_handled_in_order(stack):
    for _ in range(6):
        sender, start = f"test-{uuid.uuid4().hex}", threading.Barrier(2)

        def send(url, text, sender=sender, start=start):
            start.wait()
            return requests.post(
                f"{url}/webhooks/rest/webhook",
                json={"sender": sender, "message": text},
                headers=stack.rest_headers,
                timeout=60,
            ).json()

        with ThreadPoolExecutor(2) as pool:
            replies = list(pool.map(send, stack.replica_urls, QUESTIONS))
        for (question, answer), reply in zip(QUESTIONS.items(), replies):
            assert answer in replies_text(reply) and "went wrong" not in replies_text(reply), question
        events = stack.tracker(sender)["events"]
        users = [i for i, event in enumerate(events) if event["event"] == "user"]
        assert sorted(events[i]["text"] for i in users) == sorted(QUESTIONS)
        for begin, end in zip(users, users[1:] + [len(events)]):  # each turn whole before the next
            turn = events[begin:end]
            assert any(QUESTIONS[turn[0]["text"]] in (e.get("text") or "") for e in turn if e["event"] == "bot")
            assert turn[-1]["event"] == "action" and turn[-1]["name"] == "action_listen"


def test_a_staff_reply_through_one_replica_reaches_the_patient_on_the_other(stack):
    first, second = stack.replica_urls
    browser = Browser(stack, url=first)
    try:
        sender = browser.session()["session_id"]
        assert browser.say("hello")
        appended = requests.post(
            f"{second}/conversations/{sender}/tracker/events",
            params={"output_channel": "latest", "execute_side_effects": "true"},
            headers=stack.api_headers(),
            json=[{"event": "bot", "text": "Hello, this is Dana from the front desk."}],
            timeout=30,
        )
        assert appended.status_code == 200
        assert browser.next("bot_uttered")["text"] == "Hello, this is Dana from the front desk."
    finally:
        browser.close()


def test_a_replica_killed_while_patients_talk_loses_nothing_and_rejoins(stack, twilio):
    vault = stack.vault()
    clinic = Clinic(stack.base_url, stack.rest_headers, vault, twilio, SMS_PUBLIC_URL)
    patients = [
        new_patient(channel, script)
        for channel, script in [
            ("rest", "greeting"),
            ("rest", "booking"),
            ("rest", "intake"),
            ("rest", "rights"),
            ("sms", "sms"),
        ]
        * 2
    ]
    victim = stack.rasa.members[0]

    async def run():
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
            talking = asyncio.gather(*(clinic.converse(session, patient) for patient in patients))
            await asyncio.sleep(3)
            os.kill(victim.popen.pid, signal.SIGKILL)
            return await talking

    try:
        asyncio.run(run())
        victim.popen.wait(timeout=10)
        assert settled(vault, patients) == []
        assert all(turn.ok for patient in patients for turn in patient.turns)
        assert sum(len(patient.sent) for patient in patients) > 40
    finally:
        if victim.popen.poll() is not None:
            victim.start()
        vault.close()
    # back in the pool: nginx sends it requests again
    port = victim.ready_url.split(":")[2].split("/")[0]
    access_log = stack.balancer.log_path.parent / "nginx" / "access.log"
    before = access_log.read_text().count(f"upstream=127.0.0.1:{port} ")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and access_log.read_text().count(f"upstream=127.0.0.1:{port} ") == before:
        stack.say(f"test-{uuid.uuid4().hex}", "hello")
    assert access_log.read_text().count(f"upstream=127.0.0.1:{port} ") > before
