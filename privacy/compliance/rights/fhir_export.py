"""A patient's data as a FHIR R4 Bundle (JSON): the portable, machine-readable copy.

Patient; Appointment; a QuestionnaireResponse for intake answers and an Observation
for each other health record; a Consent per purpose; and the conversation
transcript as a DocumentReference. Built with fhir.resources (R4), which validates it.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime
from typing import Any

from fhir.resources.bundle import Bundle

from privacy.compliance.consent import Entry
from privacy.subjects.patients import Patient
from privacy.subjects.records import Record

APPOINTMENT_STATUS = {"booked": "booked", "cancelled": "cancelled", "completed": "fulfilled"}


def _id(our_id: str) -> str:
    """A FHIR id (letters, digits, '-' and '.') for one of our ids."""
    return our_id.replace("_", "-")


def _urn(resource_id: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'healthtigo:' + resource_id)}"


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": _urn(resource["id"]), "resource": resource}


def _time(value: datetime) -> str:
    return value.isoformat() if value.tzinfo else value.isoformat() + "+00:00"


def bundle(
    patient: Patient,
    records: list[Record],
    appointments: list[dict[str, Any]],
    consents: list[Entry],
    transcript: list[dict[str, Any]],
    now: datetime,
) -> str:
    """The FHIR R4 Bundle as JSON text; raises if it does not validate."""
    patient_id = _id(patient.id)
    patient_ref = {"reference": _urn(patient_id)}
    intake = [r for r in records if r.category == "intake"]
    latest = {entry.purpose: entry for entry in consents}
    resources = [
        _patient(patient, patient_id),
        *(_appointment(visit, patient_ref) for visit in appointments),
        *([_intake_answers(intake, patient_id, patient_ref)] if intake else []),
        *(_observation(record, patient_ref) for record in records if record.category != "intake"),
        *(_consent(entry, patient_id, patient_ref) for entry in latest.values()),
        *([_transcript(transcript, patient_id, patient_ref)] if transcript else []),
    ]
    document = {
        "resourceType": "Bundle",
        "id": f"export-{patient_id}",
        "type": "collection",
        "timestamp": _time(now),
        "entry": [_entry(_clean(r)) for r in resources],
    }
    return Bundle.parse_obj(document).json(indent=2)


def _patient(patient: Patient, patient_id: str) -> dict[str, Any]:
    """The Patient: name, birth date, phone and e-mail, address."""
    telecom = [{"system": "phone", "value": patient.phone}] if patient.phone else []
    telecom += [{"system": "email", "value": patient.email}] if patient.email else []
    return {
        "resourceType": "Patient",
        "id": patient_id,
        "name": [{"text": patient.name}],
        "birthDate": patient.birth_date.isoformat(),
        "telecom": telecom or None,
        "address": [{"text": patient.address}] if patient.address else None,
    }


def _appointment(visit: dict[str, Any], patient_ref: dict[str, str]) -> dict[str, Any]:
    """An Appointment with the patient and the provider."""
    return {
        "resourceType": "Appointment",
        "id": _id(visit["id"]),
        "status": APPOINTMENT_STATUS.get(visit["status"], "booked"),
        "start": _time(visit["starts_at"]),
        "appointmentType": {"text": visit["visit_type"]},
        "participant": [
            {"actor": patient_ref, "status": "accepted"},
            {"actor": {"display": visit["provider"]}, "status": "accepted"},
        ],
    }


def _intake_answers(intake: list[Record], patient_id: str, patient_ref: dict[str, str]) -> dict[str, Any]:
    """One QuestionnaireResponse holding every intake answer, authored at the latest."""
    return {
        "resourceType": "QuestionnaireResponse",
        "id": f"intake-{patient_id}",
        "status": "completed",
        "subject": patient_ref,
        "authored": _time(max(r.created_at for r in intake)),
        "item": [{"linkId": _id(r.id), "text": "intake answer", "answer": [{"valueString": r.value}]} for r in intake],
    }


def _observation(record: Record, patient_ref: dict[str, str]) -> dict[str, Any]:
    """An Observation for a health record other than an intake answer."""
    return {
        "resourceType": "Observation",
        "id": _id(record.id),
        "status": "amended" if record.amends else "final",
        "code": {"text": record.category},
        "subject": patient_ref,
        "effectiveDateTime": _time(record.created_at),
        "valueString": record.value,
    }


def _consent(entry: Entry, patient_id: str, patient_ref: dict[str, str]) -> dict[str, Any]:
    """A Consent for one purpose, as its latest entry left it."""
    purpose = entry.purpose
    return {
        "resourceType": "Consent",
        "id": f"consent-{purpose.replace('_', '-')}-{patient_id}",
        "status": "active" if entry.granted else "inactive",
        "scope": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                    "code": "treatment" if purpose == "care" else "patient-privacy",
                }
            ]
        },
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}], "text": purpose}],
        "patient": patient_ref,
        "dateTime": _time(entry.at),
        "policy": [{"uri": f"https://healthtigo.com/policy/{entry.policy_version}"}],
        "provision": {"type": "permit" if entry.granted else "deny"},
    }


def _transcript(transcript: list[dict[str, Any]], patient_id: str, patient_ref: dict[str, str]) -> dict[str, Any]:
    """A DocumentReference carrying the conversation transcript as base64 JSON."""
    return {
        "resourceType": "DocumentReference",
        "id": f"transcript-{patient_id}",
        "status": "current",
        "description": "Conversation transcript with the Healthtigo assistant",
        "subject": patient_ref,
        "content": [
            {
                "attachment": {
                    "contentType": "application/json",
                    "title": "transcript.json",
                    "data": base64.b64encode(json.dumps(transcript).encode()).decode(),
                }
            }
        ],
    }


def _clean(resource: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resource.items() if v is not None}
