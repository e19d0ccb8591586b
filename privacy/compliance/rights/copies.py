"""Access and portability: a copy of what is held, behind a download link that expires.

Access gets a readable summary with the records (JSON); portability the FHIR R4 bundle."""

from __future__ import annotations

import json
from datetime import datetime

from privacy.clock import Clock
from privacy.compliance.rights import fhir_export
from privacy.compliance.rights.exports import Exports
from privacy.compliance.rights.held import HeldData
from privacy.compliance.rights.requests import Request, Requests, Result, Status


class Copies:
    def __init__(self, clock: Clock, requests: Requests, held: HeldData, exports: Exports):
        self.now = clock
        self.requests = requests
        self.held = held
        self.exports = exports

    def access(self, request: Request, actor: str) -> Result:
        held = self.held.collect(request.subject_id, actor=actor)
        copy = json.dumps(
            {"summary": self.held.summary(request.subject_id, held), "records": held.as_dict()}, default=str
        )
        token, expires = self.exports.create(request.subject_id, copy, request_id=request.id)
        return self._delivered(request, actor, token, expires)

    def portability(self, request: Request, actor: str) -> Result:
        held = self.held.collect(request.subject_id, actor=actor)
        bundle = fhir_export.bundle(
            held.patient, held.records, held.appointments, held.consent_history, held.transcript, self.now()
        )
        token, expires = self.exports.create(request.subject_id, bundle, request_id=request.id)
        return self._delivered(request, actor, token, expires)

    def _delivered(self, request: Request, actor: str, token: str, expires: datetime) -> Result:
        request = self.requests.move(
            request, Status.COMPLETED, actor, f"download link sent, valid until {expires:%Y-%m-%d %H:%M} UTC"
        )
        return Result(self.requests.close(request, {"download_expires": expires.isoformat()}), token)
