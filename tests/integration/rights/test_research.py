"""The research export at the vault level: only those who consented, no identifier, and groups
smaller than k withheld."""

import json
from datetime import date

import pytest

from privacy.errors import InvalidInput


def _research_patients(vault, count, born, zip_code, consent=True):
    subjects = []
    for i in range(count):
        subject = vault.patients.register(
            f"Research Person{i} Zed{born.year}",
            born,
            phone=f"214555{born.year % 100:02d}{i:02d}",
            email=f"r{i}.{born.year}@example.org",
            address=f"{100 + i} Elm St, Frisco, TX {zip_code}",
            actor="staff:t",
            reason="t",
        ).subject_id
        vault.records.put(
            subject,
            "symptom",
            f"headache since 2026-02-1{i % 10}, call me at 214-555-01{i:02d}, I am Person{i}",
            actor="patient",
            reason="intake",
        )
        if consent:
            vault.consent.grant(subject, "research", channel="web", wording="Use my anonymized data for research.")
        subjects.append(subject)
    return subjects


def test_the_research_export_holds_no_identifier_and_withholds_small_groups(vault):
    adults = _research_patients(vault, 5, date(1980, 5, 17), "75034")
    _research_patients(vault, 2, date(1930, 1, 2), "75034")  # over 89: a group of 2, below k
    _research_patients(vault, 3, date(1990, 1, 1), "75035", consent=False)
    vault.rights.open(adults[0], "objection", channel="web", details={"purposes": ["research"]})
    with pytest.raises(InvalidInput, match="No group"):
        vault.research.export(k=5)  # 4 adults left after the objection, 2 elderly: nothing reaches k=5
    export = vault.research.export(k=4)
    text = json.dumps(export)
    manifest = export["manifest"]
    assert manifest["people_consented"] == 6 and manifest["people_released"] == 4
    assert manifest["k_anonymity"] == {
        "passed": True,
        "smallest_released_group": 4,
        "groups_suppressed": 1,
        "people_suppressed": 2,
    }
    assert {p["zip3"] for p in export["people"]} == {"750"} and {p["age_group"] for p in export["people"]} == {"45-64"}
    for seeded in (
        "Person",
        "Zed1980",
        "Elm St",
        "75034",
        "214555",
        "555-01",
        "example.org",
        "1980-05-17",
        "2026-02-1",
        adults[1],
    ):
        assert seeded not in text, seeded
    assert "headache since [date" in text
