"""Anonymized research data (HIPAA Safe Harbor, 45 CFR §164.514(b)(2)) with a k-anonymity check.

Only patients who consented to research and did not object are included. The 18
identifiers are removed: names, contact details and record numbers are never
exported; dates become years; ages are grouped, with everyone over 89 in one
group; ZIP codes keep 3 digits (000 where those 3 digits cover 20,000 people or
fewer); free text is scrubbed of the patient's name, e-mail addresses, URLs,
numbers and dates. Groups of people sharing age group and ZIP3 smaller than k are
not released; the manifest records the check's result.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from privacy.clock import Clock
from privacy.compliance.audit import AuditLog
from privacy.compliance.consent import Consent, age_on
from privacy.crypto.sealing import Sealer
from privacy.errors import InvalidInput
from privacy.store.schema import appointments, patients, subjects
from privacy.subjects.records import Records

DEFAULT_K = 5
# 3-digit ZIP areas with 20,000 people or fewer (2000 Census), which Safe Harbor turns into 000.
RESTRICTED_ZIP3 = {
    "036",
    "059",
    "063",
    "102",
    "203",
    "556",
    "692",
    "790",
    "821",
    "823",
    "830",
    "831",
    "878",
    "879",
    "884",
    "890",
    "893",
}
AGE_GROUPS = ((0, 17), (18, 29), (30, 44), (45, 64), (65, 89))
IDENTIFIERS = (
    "names",
    "geographic subdivisions smaller than a state (ZIP reduced to 3 digits)",
    "all elements of dates except the year; ages over 89",
    "telephone numbers",
    "fax numbers",
    "e-mail addresses",
    "social security numbers",
    "medical record numbers",
    "health plan beneficiary numbers",
    "account numbers",
    "certificate or license numbers",
    "vehicle identifiers",
    "device identifiers",
    "URLs",
    "IP addresses",
    "biometric identifiers",
    "full-face photographs",
    "any other unique identifying number",
)
_ZIP = re.compile(r"\b(\d{5})(?:-\d{4})?\b")
_SCRUB = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"\b(?:https?://|www\.)\S+", re.I), "[url]"),
    (re.compile(r"\b\d{1,4}[-/.]\d{1,2}[-/.](\d{2,4})\b"), r"[date \1]"),
    (
        re.compile(
            r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?,? (\d{4})\b", re.I
        ),
        r"[date \1]",
    ),
    (re.compile(r"\d(?:[\s().-]*\d){4,}"), "[number]"),
)


def age_group(age: int) -> str:
    for low, high in AGE_GROUPS:
        if low <= age <= high:
            return f"{low}-{high}"
    return "90+"


def zip3(address: str | None) -> str:
    found = _ZIP.findall(address or "")
    if not found:
        return "unknown"
    prefix = found[-1][:3]
    return "000" if prefix in RESTRICTED_ZIP3 else prefix


def scrub(text: str, names: list[str]) -> str:
    """Free text without the patient's name, e-mail addresses, URLs, long numbers; dates as years."""
    for pattern, replacement in _SCRUB:
        text = pattern.sub(replacement, text)
    for name in names:
        if len(name) > 1:
            text = re.sub(rf"\b{re.escape(name)}\b", "[name]", text, flags=re.I)
    return text


class Research:
    def __init__(self, data: Engine, clock: Clock, sealer: Sealer, audit: AuditLog, consent: Consent, records: Records):
        self.data = data
        self.now = clock
        self.sealer = sealer
        self.audit = audit
        self.consent = consent
        self.records = records

    def export(self, k: int = DEFAULT_K, actor: str = "system") -> dict[str, Any]:
        """The de-identified data set with its manifest; raises InvalidInput if no group reaches k."""
        if k < 2:
            raise InvalidInput("k must be at least 2.")
        today = self.now().date()
        with self.data.connect() as db:
            rows = db.execute(
                select(patients.c.id, patients.c.subject_id, patients.c.name, patients.c.birth_date, patients.c.address)
                .join(subjects, subjects.c.id == patients.c.subject_id)
                .where(subjects.c.erased_at.is_(None), subjects.c.restricted_until.is_(None))
            ).all()
        consented = [row for row in rows if self.consent.allows(row.subject_id, "research")]
        people = []
        for row in consented:
            opened = self.sealer.open
            birth = date.fromisoformat(opened(row.birth_date, "patients", "birth_date", row.id))
            address = opened(row.address, "patients", "address", row.id) if row.address is not None else None
            names = opened(row.name, "patients", "name", row.id).split()
            people.append(
                {
                    "group": (age_group(age_on(birth, today)), zip3(address)),
                    "subject_id": row.subject_id,
                    "names": names,
                }
            )
        sizes = Counter(person["group"] for person in people)
        released = [p for p in people if sizes[p["group"]] >= k]
        suppressed = {f"{age}|{z}": n for (age, z), n in sizes.items() if n < k}
        if people and not released:
            raise InvalidInput(f"No group of at least {k} people: nothing can be released.")
        data = [self._person(person) for person in released]
        manifest = {
            "standard": "HIPAA Safe Harbor, 45 CFR 164.514(b)(2)",
            "identifiers_removed": list(IDENTIFIERS),
            "quasi_identifiers": ["age_group", "zip3"],
            "k": k,
            "k_anonymity": {
                "passed": all(sizes[p["group"]] >= k for p in released),
                "smallest_released_group": min((sizes[p["group"]] for p in released), default=0),
                "groups_suppressed": len(suppressed),
                "people_suppressed": sum(suppressed.values()),
            },
            "people_consented": len(consented),
            "people_released": len(released),
            "created": today.year,
        }
        self.audit.append(
            actor,
            "research.export",
            None,
            "anonymized research data",
            {"released": len(released), "suppressed": sum(suppressed.values()), "k": k},
        )
        return {"manifest": manifest, "people": data}

    def _person(self, person: dict[str, Any]) -> dict[str, Any]:
        subject_id = person["subject_id"]
        records = self.records.list(subject_id, actor="system", reason="anonymized research export")
        with self.data.connect() as db:
            visits = db.execute(
                select(appointments.c.starts_at, appointments.c.visit_type, appointments.c.status).where(
                    appointments.c.subject_id == subject_id
                )
            ).all()
        age, zip_area = person["group"]
        return {
            "research_id": uuid.uuid4().hex,  # new each export: not linkable to the patient or across exports
            "age_group": age,
            "zip3": zip_area,
            "records": [
                {"category": r.category, "year": r.created_at.year, "text": scrub(r.value, person["names"])}
                for r in records
            ],
            "visits": [{"year": v.starts_at.year, "visit_type": v.visit_type, "status": v.status} for v in visits],
        }
