"""Playing the scripted conversations of tests/scenarios/ against the running stack.

A scenario sets up a registered patient and their booked appointments, says its messages over
the REST channel and then checks the vault. The identity check is answered as the patient
would (name, date of birth, the code from the outbox), and so are the questions no script
foresees: the two intake questions (medicines, allergies: "none") and the danger question a
symptom may raise (no one is in danger: the "No" button); they are not the script's turns. Every question
a form asks (`requested_slot`) is compared with what the patient's messages had already given:
each such question counts as asked again.
"""

from __future__ import annotations

import random
import re
import string
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Optional

import yaml
from sqlalchemy import update

from bot.scheduling.when import CLINIC_TZ, PARTS_OF_DAY, WEEKDAYS
from privacy.clock import utc_now
from privacy.store.schema import appointments
from safety.triage import days_since

SCENARIOS = Path(__file__).resolve().parents[1] / "tests" / "scenarios"
GIVES = {  # what a message gives -> the form slot that asks for it
    "visit_type": "book_visit_type",
    "provider": "book_provider",
    "day": "book_when",
    "part_of_day": "book_when",
    "time": "book_when",
    "appointment": "appointment_choice",
    "reason": "intake_reason",
    "symptoms": "intake_symptoms",
    "since": "intake_since",
    "severity": "intake_severity",
    "conditions": "intake_conditions",
}
UNSCRIPTED = {"intake_medications": "none", "intake_allergies": "none"}
NOT_IN_DANGER = "No, no one is in danger"  # the danger question's "No" button
BIRTH = date(1979, 4, 23)
LABEL = re.compile(r"^\w{3} (\w{3}) (\d{1,2}), (\d{1,2}):(\d{2}) (am|pm), (.+)$")
WORDS = "twelve one two three four five six seven eight nine ten eleven".split()
POSITIONS = ["first", "second", "third", "fourth"]


def load() -> list[dict[str, Any]]:
    return [
        scenario
        for path in sorted(SCENARIOS.glob("*.yml"))
        for scenario in yaml.safe_load(path.read_text())["scenarios"]
    ]


@dataclass
class Offer:
    label: str
    payload: str
    starts_at: datetime
    provider_name: str


def offers_in(replies: list[dict]) -> list[Offer]:
    """The times offered in the bot's replies (their buttons)."""
    found = []
    for button in (b for r in replies for b in r.get("buttons", [])):
        match = LABEL.match(button["title"])
        if not match:
            continue
        month, day, hour, minute, meridiem, provider = match.groups()
        today = datetime.now(CLINIC_TZ).date()
        year = today.year + (1 if datetime.strptime(month, "%b").month < today.month else 0)
        hour = int(hour) % 12 + (12 if meridiem == "pm" else 0)
        starts = datetime(year, datetime.strptime(month, "%b").month, int(day), hour, int(minute), tzinfo=CLINIC_TZ)
        found.append(Offer(button["title"], button["payload"], starts, provider))
    return found


def spoken_time(moment: datetime) -> str:
    return moment.strftime("%-I:%M %p").lower().replace(":00 ", " ")


def time_in_words(moment: datetime) -> str:
    hour = WORDS[moment.hour % 12]
    return {0: f"{hour} o'clock", 15: f"quarter past {hour}", 30: f"half past {hour}"}.get(
        moment.minute, f"{hour} {moment.minute}"
    )


def choice_text(template: str, offer: Offer, position: int) -> str:
    return template.format(
        time=spoken_time(offer.starts_at),
        time_words=time_in_words(offer.starts_at),
        weekday=f"{offer.starts_at:%A}",
        date=f"{offer.starts_at:%B} {offer.starts_at.day}",
        position=POSITIONS[position],
        provider=offer.provider_name,
    )


def next_weekday(vault, weekday: str, hour: int, minute: int) -> datetime:
    """The first such weekday from tomorrow on which the clinic is open."""
    day = datetime.now(CLINIC_TZ).date() + timedelta(days=1)
    while day.weekday() != WEEKDAYS.index(weekday) or day in vault.clinic.closures:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour, minute), CLINIC_TZ)


def clear_schedule(vault) -> None:
    """Cancel every upcoming appointment of the test stack's clinic: a scenario's offers and
    exact times then depend on its own set-up only."""
    with vault.data.begin() as db:
        db.execute(
            update(appointments)
            .where(appointments.c.status == "booked", appointments.c.starts_at > utc_now())
            .values(status="cancelled")
        )


def tomorrow_is_open(vault) -> bool:
    tomorrow = datetime.now(CLINIC_TZ).date() + timedelta(days=1)
    return tomorrow.weekday() < 5 and tomorrow not in vault.clinic.closures


@dataclass
class Run:
    """One scenario played: what was asked again, what was chosen, the patient's appointments."""

    subject: str
    asked_again: list[str] = field(default_factory=list)
    chosen: dict[int, Offer] = field(default_factory=dict)  # by position among the times offered
    setup_ids: dict[str, str] = field(default_factory=dict)
    transcript: list[str] = field(default_factory=list)


class Player:
    def __init__(self, stack, vault, scenario: dict[str, Any]):
        self.stack, self.vault, self.scenario = stack, vault, scenario
        self.sender = f"scenario-{uuid.uuid4().hex}"
        self.name = "Scen " + "".join(random.choices(string.ascii_lowercase, k=10)).capitalize()
        self.given: set[str] = set()
        self.replies: list[dict] = []
        self.seen = 0  # tracker events already read

    def play(self) -> Run:
        phone = f"+1972555{random.randint(0, 9999):04d}"
        while self.vault.patients.find(phone=phone):
            phone = f"+1972555{random.randint(0, 9999):04d}"
        patient = self.vault.patients.register(
            self.name,
            BIRTH,
            phone=phone,
            email=f"{uuid.uuid4().hex[:12]}@example.org",
            actor="staff:test",
            reason="scenario",
        )
        run = Run(patient.subject_id)
        for booked in self.scenario.get("booked") or []:
            hour, minute = map(int, booked["time"].split(":"))
            appointment = self.vault.appointments.book(
                patient.subject_id,
                booked["provider"],
                next_weekday(self.vault, booked["weekday"], hour, minute),
                booked["visit_type"],
                actor="staff:test",
            )
            run.setup_ids[booked["id"]] = appointment.id
        if "intake" in self.scenario.get("expect", {}):
            self.say(run, "show my appointments")  # who the patient is, so that the intake is stored
        for turn in self.scenario["turns"]:
            if "choose" in turn:
                self.say(run, self.choose(run, turn["choose"]))
            else:
                self.say(run, turn["say"], gives=turn.get("gives") or [])
        return run

    def choose(self, run: Run, choice: dict[str, Any]) -> str:
        offers = offers_in(self.replies)
        assert offers, f"no times offered before a choice: {run.transcript[-4:]}"
        index = len(offers) - 1 if choice["index"] == "last" else int(choice["index"]) - 1
        offer = offers[index]
        run.chosen[index + 1] = offer
        return offer.payload if choice.get("button") else choice_text(choice["say"], offer, index)

    def say(self, run: Run, text: str, gives: Optional[list[str]] = None) -> None:
        self.given |= {GIVES[g] for g in gives or [] if g in GIVES}
        self.replies = self.stack.say(self.sender, text)
        run.transcript += [f"patient: {text}"] + [f"bot: {r.get('text', '')}" for r in self.replies]
        for asked in self.questions():
            if asked in self.given:
                run.asked_again.append(f"{asked} after {text!r}")
        self.answer_unscripted(run)

    def questions(self) -> list[str]:
        """The slots forms asked for since the last look."""
        events = self.stack.tracker(self.sender)["events"]
        new, self.seen = events[self.seen :], len(events)
        return [
            e["value"] for e in new if e.get("event") == "slot" and e.get("name") == "requested_slot" and e.get("value")
        ]

    def answer_unscripted(self, run: Run) -> None:
        """The identity check and the questions no script foresees, answered until none is open."""
        for _ in range(6):
            slot = self.stack.tracker(self.sender)["slots"].get("requested_slot")
            if any(b.get("payload") == NOT_IN_DANGER for r in self.replies for b in r.get("buttons", [])):
                answer = NOT_IN_DANGER
            elif slot == "id_name":
                answer = self.name
            elif slot == "id_birth_date":
                answer = BIRTH.strftime("%m/%d/%Y")
            elif slot == "id_code":
                answer = re.search(r"\b(\d{6})\b", self.vault.outbox.messages(run.subject)[0].body).group(1)
            elif slot in UNSCRIPTED:
                answer = UNSCRIPTED[slot]
            else:
                return
            self.replies = self.stack.say(self.sender, answer)
            run.transcript += [f"patient (unscripted): {answer}"] + [f"bot: {r.get('text', '')}" for r in self.replies]
            self.questions()  # these questions were not the script's


def problems(vault, scenario: dict[str, Any], run: Run) -> list[str]:
    """What differs between the vault and the scenario's expectations."""
    expect = scenario.get("expect", {})
    found = []
    upcoming = vault.appointments.upcoming(run.subject)
    for item in expect.get("appointments", []):
        if "count" in item:
            if len(upcoming) != item["count"]:
                found.append(f"{len(upcoming)} upcoming appointments, expected {item['count']}")
            continue
        if "from" in item:
            original = run.setup_ids[item["from"]]
            if item.get("status") == "cancelled":
                if any(a.id == original for a in upcoming):
                    found.append(f"{item['from']} is not cancelled")
                continue
            candidates = [a for a in upcoming if a.id == original]
        else:
            candidates = upcoming
        if not any(_fits(vault, a, item, run) for a in candidates):
            found.append(
                f"no appointment fits {item}; upcoming: "
                f"{[(a.provider_id, a.visit_type, a.starts_at.astimezone(CLINIC_TZ).isoformat()) for a in upcoming]}"
            )
    if "intake" in expect:
        found += _intake_problems(vault, run.subject, expect["intake"])
    return found


def _fits(vault, appointment, item: dict[str, Any], run: Run) -> bool:
    starts = appointment.starts_at.astimezone(CLINIC_TZ)
    provider = vault.clinic.provider(appointment.provider_id)
    checks = {
        "offered": lambda n: (
            n in run.chosen and starts == run.chosen[n].starts_at and run.chosen[n].provider_name == provider.name
        ),
        "provider": lambda p: p == "any" or p in appointment.provider_id,
        "specialty": lambda s: provider.specialty == s,
        "visit_type": lambda v: appointment.visit_type == v,
        "weekday": lambda w: WEEKDAYS[starts.weekday()] == w,
        "part_of_day": lambda p: PARTS_OF_DAY[p][0] <= starts.time() < PARTS_OF_DAY[p][1],
        "time": lambda t: starts.strftime("%H:%M") == t,
    }
    return all(checks[key](value) for key, value in item.items() if key in checks)


def _intake_problems(vault, subject: str, expected: dict[str, Any]) -> list[str]:
    stored = {}
    for record in vault.records.list(subject, actor="staff:test", reason="scenario check"):
        label, _, value = record.value.partition(": ")
        stored[label] = value
    fields = {"reason": "Reason for the visit", "symptoms": "Symptoms", "conditions": "Conditions"}
    found = []
    for key, words in expected.items():
        if key in fields:
            value = stored.get(fields[key], "")
            if words.lower() not in value.lower():
                found.append(f"{fields[key]} is {value!r}, expected to hold {words!r}")
        elif key == "since_days" and days_since(stored.get("Since", "")) != words:
            found.append(f"Since is {stored.get('Since')!r}: {days_since(stored.get('Since', ''))} days, not {words}")
        elif key == "severity" and stored.get("Severity (0-10)") != str(words):
            found.append(f"Severity is {stored.get('Severity (0-10)')!r}, not {words}")
    return found
