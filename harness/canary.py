"""The patient of the vault's own tests: a canary whose every detail, and a symptom, are searched for
in the bytes the vault stored."""

from __future__ import annotations

from datetime import date

CANARY = dict(
    name="Zebulon Quartermaine",
    birth_date=date(1961, 3, 14),
    phone="(214) 555-0147",
    email="zebulon.quartermaine@example.org",
    address="77 Canary Lane, Plano, TX 75024",
)
SYMPTOM = "purple tingling in the left earlobe"


def register(vault, **changes):
    return vault.patients.register(**(CANARY | changes), actor="staff:test", reason="test")
