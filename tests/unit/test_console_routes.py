"""Every console route says whether it shows patient data (channels/console/auditing.py), and a
page of one patient's data is audited."""

import re

import pytest

from channels.console.app import create_app
from channels.console.auditing import AUDITED

# A route with one of these in its path shows one patient's conversation, request or ledger.
ONE_PATIENT = re.compile(r"<(ticket_id|request_id|subject_id)")
# Routes that change a ticket and show nothing of it.
SHOW_NOTHING = {"claim", "give_back"}


@pytest.fixture(scope="module")
def routes():
    app = create_app("console_routes_under_test")
    return [route for route in app.router.routes if not route.path.startswith("static")]


def path(route) -> str:
    return "/" + route.path.strip("/")


def test_every_route_says_whether_it_is_audited(routes):
    silent = [path(route) for route in routes if not getattr(route.handler, "audit", "")]
    assert silent == [], "mark each with @audited or @not_audited(why)"


def test_a_page_of_one_patients_data_is_audited(routes):
    unaudited = [
        path(route)
        for route in routes
        if ONE_PATIENT.search(path(route))
        and route.handler.__name__ not in SHOW_NOTHING
        and route.handler.audit != AUDITED
    ]
    assert unaudited == []
    assert len([r for r in routes if getattr(r.handler, "audit", "") == AUDITED]) >= 7
