"""A request's lifecycle: each kind that waits for approval has its fulfilment, and a status
change (status, history step, audit entry) lands whole or not at all, on both databases."""

from datetime import date

import pytest
from sqlalchemy import text

from privacy.compliance.rights.requests import AT_ONCE, Kind, Status

REFUSE_AUDIT = {
    "sqlite": [
        "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit refused'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$"
        " LANGUAGE plpgsql",
        "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()",
    ],
}


def test_every_kind_has_its_fulfilment(vault):
    waiting = {kind for kind in Kind if kind not in AT_ONCE}
    assert set(vault.rights.fulfilment) == waiting


def test_a_status_change_whose_audit_entry_fails_changes_nothing(vault):
    subject = vault.patients.register(
        "Quinta Lowell", date(1970, 2, 3), phone="214-555-0180", actor="staff:front-desk", reason="registration"
    ).subject_id
    request = vault.rights.open(subject, "access", channel="web").request
    steps = len(vault.rights.history(request.id))
    with vault.data.begin() as db:
        for statement in REFUSE_AUDIT[db.dialect.name]:
            db.execute(text(statement))
    with pytest.raises(Exception, match="audit refused"):
        vault.rights.confirm_identity(request.id, actor="staff:officer", how="photo ID at the desk")
    assert vault.rights.get(request.id).status == Status.RECEIVED
    assert len(vault.rights.history(request.id)) == steps
    assert vault.audit.verify().ok
