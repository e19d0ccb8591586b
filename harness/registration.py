"""Registered patients and the identity check, as the end-to-end tests set them up."""

from __future__ import annotations

import random
import re
import string
import uuid
from datetime import date, datetime, timedelta

import requests

from bot.scheduling.when import CLINIC_TZ


def new_patient(vault, sms=True, born=date(1961, 3, 14)):
    """A registered patient with a unique name and phone; returns (name, birth date, phone, subject)."""
    name = "Zeb " + "".join(random.choices(string.ascii_lowercase, k=10)).capitalize()
    phone = f"+1{random.choice(['214', '469', '972', '817'])}5550{random.randint(100, 199)}"
    while vault.patients.find(phone=phone):
        phone = f"+1{random.choice(['214', '469', '972', '817'])}5550{random.randint(100, 199)}"
    patient = vault.patients.register(
        name, born, phone=phone, email=f"{uuid.uuid4().hex[:10]}@example.org", actor="staff:test", reason="test"
    )
    if sms:
        vault.consent.grant(patient.subject_id, "sms", channel="staff", wording="Text me about my appointments.")
    return name, born, phone, patient.subject_id


def last_code(vault, subject):
    return re.search(r"\b(\d{6})\b", vault.outbox.messages(subject)[0].body).group(1)


def verify(chat, vault, name, born, subject):
    """Answer the identity questions the assistant asks."""
    assert "date of birth" in chat(name)
    reply = chat(born.strftime("%m/%d/%Y"))
    assert "6-digit code" in reply
    reply = chat(last_code(vault, subject))
    assert "verified" in reply
    return reply


def asked_as_new_patient(chat, vault, request):
    """A new patient asks for `request` and answers the identity questions; (name, subject, the last reply)."""
    name, born, _, subject = new_patient(vault)
    chat(request)
    return name, subject, verify(chat, vault, name, born, subject)


def download(link, vault, subject):
    """Open a download link as the patient does: the page, a code sent to the contact on file, the
    code typed; the answer to the last step."""
    page = requests.get(link, timeout=30)
    assert page.status_code == 200 and "Send me a code" in page.text, page.text
    form = requests.post(f"{link}/code", timeout=30)
    code_id = re.search(r'name="code_id" value="([^"]+)"', form.text).group(1)
    return requests.post(link, data={"code_id": code_id, "code": last_code(vault, subject)}, timeout=30)


def open_day(vault, days_ahead=4):
    """A weekday at least `days_ahead` days ahead on which the clinic is open."""
    day = datetime.now(CLINIC_TZ).date() + timedelta(days=days_ahead)
    while day.weekday() >= 5 or day in vault.clinic.closures:
        day += timedelta(days=1)
    return day


def spoken(day):
    return f"{day:%B} {day.day}"
