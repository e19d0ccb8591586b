"""The privacy officer's pages, against the running servers: the rights queue (a denial, an approval
once identity is verified), a patient's consent and the retention dry run, each audited."""

from harness.registration import new_patient


def test_the_privacy_officer_works_the_rights_queue(officer, vault):
    _, _, _, subject = new_patient(vault)
    denied = vault.rights.open(subject, "correction", channel="web", details={"field": "email", "value": "a@b.org"})
    approved = vault.rights.open(subject, "portability", channel="web")
    officer.get("/privacy/requests")
    assert denied.request.id in officer.page and approved.request.id in officer.page
    officer.get(f"/privacy/requests/{denied.request.id}")
    officer.post(f"/privacy/requests/{denied.request.id}/deny", reason="We could not confirm who you are.")
    assert vault.rights.get(denied.request.id).status == "denied"
    officer.get(f"/privacy/requests/{approved.request.id}")
    reply = officer.post(f"/privacy/requests/{approved.request.id}/approve")
    assert "identity must be verified" in reply.text and vault.rights.get(approved.request.id).status == "received"
    officer.post(f"/privacy/requests/{approved.request.id}/approve", verified_in_person="photo ID at the desk")
    assert vault.rights.get(approved.request.id).status == "completed" and "/webhooks/downloads/" in officer.page
    officer.get(f"/privacy/consent/{subject}")
    assert "Text me about my appointments." in officer.page
    officer.get("/privacy/retention")
    assert "dry run" in officer.page
    actions = {e["action"] for e in vault.audit.entries(limit=40)}
    assert {"officer.view_request", "officer.view_consent", "retention.dry_run"} <= actions
