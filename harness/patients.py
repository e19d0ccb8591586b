"""Simulated patients for bench/load.py and tests/integration/test_replicas.py.

Each patient holds one scripted conversation over the REST channel (greeting, booking,
intake or a rights request) or over SMS (signed webhook requests; the replies arrive at
the Twilio stand-in). A REST message carries its own id and is sent again, with the same
id, when the answer is a gateway error or the connection breaks (a replica died); an SMS
is sent again with the same MessageSid. Each patient remembers what it sent, so that
`check` can compare the stored conversation with it: every message once and answered.
An SMS reply goes out while its turn runs, before the turn is stored, so `settled` checks
again until the last turns are stored.
"""

from __future__ import annotations

import asyncio
import random
import re
import string
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Optional
from urllib.parse import urlencode

import aiohttp
from twilio.request_validator import RequestValidator

from bot.scheduling.when import CLINIC_TZ
from harness.clients import unused_number
from harness.twilio_standin import TwilioStandIn, inbound

GREETING = [
    "hello",
    "what are your opening hours?",
    "do you share my data with anyone?",
    "what's your phone number?",
    "thanks",
    "no",
]
INTAKE = ["I have a cough and a sore throat", "a cough", "3 days", "3", "none", "none", "none", "yes"]
SMS_SCRIPT = ["hello", "what are your opening hours?", "do you share my data with anyone?", "thanks", "no"]
ATTEMPTS = 8
RETRY_STATUSES = {502, 503, 504}


@dataclass
class Turn:
    kind: str  # the script's name
    seconds: float  # until the (first) answer, retries included
    ok: bool


@dataclass
class Patient:
    channel: str  # "rest" or "sms"
    script: str
    sender: str  # the conversation id (for SMS: the phone number until `check` maps it)
    sent: list[str] = field(default_factory=list)  # message texts, in order, once each
    turns: list[Turn] = field(default_factory=list)
    retries: int = 0


class Clinic:
    """What the patients need from the system under load: its addresses and its vault."""

    def __init__(
        self,
        base_url: str,
        rest_headers: dict[str, str],
        vault,
        twilio: Optional[TwilioStandIn] = None,
        sms_public_url: str = "",
    ):
        self.rest_url, self.rest_headers = f"{base_url}/webhooks/rest/webhook", rest_headers
        self.sms_url = f"{base_url}/webhooks/sms/webhook"
        self.vault, self.twilio, self.sms_public_url = vault, twilio, sms_public_url
        self._slots = iter(slot_texts(vault, 4000))

    async def rest(self, session: aiohttp.ClientSession, patient: Patient, text: str) -> list[dict]:
        """Send one message; the bot's replies ([] after ATTEMPTS failures)."""
        start = time.perf_counter()
        message = {"sender": patient.sender, "message": text, "message_id": uuid.uuid4().hex}
        status, body = await self._post(session, patient, self.rest_url, json=message, headers=self.rest_headers)
        body = body if status == 200 and isinstance(body, list) else []
        patient.sent.append(text)
        patient.turns.append(Turn(patient.script, time.perf_counter() - start, bool(body)))
        return body

    async def sms(self, session: aiohttp.ClientSession, patient: Patient, text: str) -> None:
        """Text one message and wait for the first reply to it."""
        fields = inbound(patient.sender, text)
        signature = RequestValidator(self.twilio.auth_token).compute_signature(self.sms_public_url, dict(fields))
        headers = {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}
        before, start, ok = len(self.twilio.to(patient.sender)), time.perf_counter(), False
        await self._post(session, patient, self.sms_url, data=urlencode(fields), headers=headers)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not ok:
            ok = len(self.twilio.to(patient.sender)) > before
            await asyncio.sleep(0.01)
        patient.sent.append(text)
        patient.turns.append(Turn(patient.script, time.perf_counter() - start, ok))

    @staticmethod
    async def _post(session: aiohttp.ClientSession, patient: Patient, url: str, **request) -> tuple[int, Any]:
        """POST, and POST the same again while the answer is a gateway error or the connection
        breaks (a replica died); the status and JSON body, or (0, None) after ATTEMPTS tries."""
        for attempt in range(ATTEMPTS):
            try:
                async with session.post(url, **request) as reply:
                    if reply.status not in RETRY_STATUSES:
                        json = reply.content_type == "application/json"
                        return reply.status, await reply.json() if json else None
            except aiohttp.ClientError:
                pass
            patient.retries += 1
            await asyncio.sleep(0.2 * (attempt + 1))
        return 0, None

    async def converse(self, session: aiohttp.ClientSession, patient: Patient) -> Patient:
        """Hold the patient's whole conversation."""
        if patient.channel == "sms":
            for text in SMS_SCRIPT:
                await self.sms(session, patient, text)
                await asyncio.sleep(0.3)  # the rest of a multi-part reply arrives
            return patient
        if patient.script in ("greeting", "intake"):
            for text in GREETING if patient.script == "greeting" else INTAKE:
                await self.rest(session, patient, text)
            return patient
        name, subject = await asyncio.to_thread(self._new_patient)
        opening = (
            "I'd like to book an appointment"
            if patient.script == "booking"
            else "what information do you have about me?"
        )
        for text in (opening, name, "01/01/1970"):
            await self.rest(session, patient, text)
        messages = await asyncio.to_thread(self.vault.outbox.messages, subject)
        code = re.search(r"\d{6}", messages[0].body).group(0) if messages else "000000"
        await self.rest(session, patient, code)
        if patient.script == "booking":
            for text in ("video", "anyone", next(self._slots), "yes", "not now"):
                await self.rest(session, patient, text)
        return patient

    def _new_patient(self) -> tuple[str, str]:
        name = "Load " + "".join(random.choices(string.ascii_lowercase, k=12)).capitalize()
        patient = self.vault.patients.register(
            name, date(1970, 1, 1), phone=unused_number("469"), actor="staff:load", reason="load test"
        )
        return name, patient.subject_id


def new_patient(channel: str, script: str) -> Patient:
    if channel == "sms":
        return Patient("sms", "sms", unused_number())
    return Patient("rest", script, f"load-{script}-{uuid.uuid4().hex[:16]}")


def slot_texts(vault, count: int) -> list[str]:
    """Distinct weekday times, from 10 days ahead, on days the clinic is open."""
    texts, day = [], datetime.now(CLINIC_TZ).date() + timedelta(days=10)
    while len(texts) < count:
        if day.weekday() < 5 and day not in vault.clinic.closures:
            texts += [
                f"{day:%B} {day.day} at {hour if hour <= 12 else hour - 12}{'pm' if hour >= 12 else 'am'}"
                for hour in (8, 9, 10, 11, 13, 14, 15, 16)
            ]
        day += timedelta(days=1)
    return texts


def said(vault, patient: Patient) -> tuple[str, list[dict]]:
    """The patient's conversation id and its stored events, all sessions."""
    sender = vault.sms.sender_for(patient.sender) if patient.channel == "sms" else patient.sender
    return sender, vault.conversations.load(sender, all_sessions=True) or []


def settled(vault, patients: list[Patient], seconds: float = 30.0) -> list[str]:
    """What is wrong with the patients' stored conversations once their last turns are stored
    (checked again, for up to `seconds`, while anything is)."""
    deadline = time.monotonic() + seconds
    while True:
        problems = [problem for patient in patients for problem in check(vault, patient)]
        if not problems or time.monotonic() > deadline:
            return problems
        time.sleep(0.5)


def check(vault, patient: Patient) -> list[str]:
    """What is wrong with the stored conversation, compared with what the patient sent: a
    message missing or stored twice, messages out of order, or a message left unanswered."""
    sender, events = said(vault, patient)
    texts = [event.get("text") for event in events if event.get("event") == "user"]
    problems = []
    if Counter(texts) != Counter(patient.sent):
        problems.append(f"{sender}: sent {patient.sent}, stored {texts}")
    elif texts != patient.sent:
        problems.append(f"{sender}: sent {patient.sent}, stored in another order {texts}")
    turn: list[dict] = []
    for event in events + [{"event": "user"}]:
        if event.get("event") == "user":
            if turn and turn[0].get("event") == "user" and not any(e.get("event") == "bot" for e in turn):
                problems.append(f"{sender}: '{turn[0].get('text')}' was not answered")
            turn = []
        turn.append(event)
    return problems
