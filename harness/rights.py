"""The vault-level tests of consent and data-subject rights: their patient, and the identity check
of a request with the code read from the outbox."""

from __future__ import annotations

import re
from datetime import date


def patient(
    vault,
    name="Zebulon Quartermaine",
    born=date(1961, 3, 14),
    phone="214-555-0147",
    email="zebulon.quartermaine@example.org",
    address="77 Canary Lane, Plano, TX 75024",
):
    return vault.patients.register(
        name, born, phone=phone, email=email, address=address, actor="staff:front-desk", reason="registration"
    )


def verified(vault, request, via="sms"):
    """Send the code for `request`, read it from the outbox, and verify it."""
    vault.now.advance(seconds=1)  # the newest message is the one just sent
    code_id = vault.identity.send_code(request.subject_id, via=via)
    code = re.search(r"\b(\d{6})\b", vault.outbox.messages(request.subject_id)[0].body).group(1)
    return vault.rights.verify_identity(request.id, code_id, code)


CLIENT = "192.0.2.10"  # the address the test's downloads come from


def downloaded(vault, token: str, subject: str) -> str:
    """The copy behind a download link, with the one-time code its page sends the patient."""
    if hasattr(vault.now, "advance"):
        vault.now.advance(seconds=1)  # the newest message is the code just sent
    code_id = vault.exports.send_code(token, CLIENT)
    code = re.search(r"\b(\d{6})\b", vault.outbox.messages(subject)[0].body).group(1)
    return vault.exports.fetch(token, code_id, code, CLIENT)
