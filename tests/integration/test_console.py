"""The staff console against the running servers and the real vault: accounts, roles, CSRF,
lock-out, TOTP, and handoffs answered through the widget's and the SMS channel."""

import re
import secrets
import time

import pyotp
import pytest
import requests
from sqlalchemy import func, select

from channels.console import rasa_api
from channels.console.masking import mask
from harness.clients import Browser, Chat, Phone
from harness.registration import new_patient
from harness.staff import PASSWORD, add_staff
from privacy.clinic.staff import REFUSED
from privacy.store.schema import staff_accounts, staff_sessions


class Console:
    """A staff member's browser: cookies kept by hand (they are Secure, and this is plain HTTP)."""

    def __init__(self, stack):
        self.base, self.cookies, self.page = stack.console_url, {}, ""

    def _send(self, method: str, path: str, extra=None, **kwargs) -> requests.Response:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        reply = requests.request(
            method,
            self.base + path,
            headers={"Cookie": cookie, **(extra or {})},
            allow_redirects=False,
            timeout=60,
            **kwargs,
        )
        for name, value in reply.cookies.items():
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        if reply.status_code != 302 and reply.headers.get("Content-Type", "").startswith("text/html"):
            self.page = reply.text
        return reply

    def get(self, path: str, headers=None, **params) -> requests.Response:
        return self._send("GET", path, params=params, extra=headers or {})

    def post(self, path: str, csrf: bool = True, **fields) -> requests.Response:
        if csrf:
            fields["csrf"] = re.search(r'name="csrf" value="([^"]*)"', self.page).group(1)
        return self._send("POST", path, data=fields)

    def log_in(self, name: str, password: str = PASSWORD, secret: str = "") -> requests.Response:
        self.get("/login")
        reply = self.post("/login", username=name, password=password)
        if secret and reply.status_code == 302:
            self.get("/totp")
            reply = self.post("/totp", code=pyotp.TOTP(secret).now())
        return reply


@pytest.fixture(scope="module")
def vault(stack):
    opened = stack.vault()
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def agent(stack):
    name, _ = add_staff(stack, "agent")
    console = Console(stack)
    assert console.log_in(name).headers["Location"] == "/"
    console.name = name
    return console


@pytest.fixture(scope="module")
def officer(stack):
    name, secret = add_staff(stack, "privacy_officer")
    console = Console(stack)
    assert console.log_in(name, secret=secret).headers["Location"] == "/"
    return console


# -- who may see what -----------------------------------------------------------------------


def test_a_logged_out_user_gets_the_login_page(stack):
    for path in ("/", "/queue", "/queue.json", "/tickets/T-000000", "/privacy/requests", "/privacy/audit"):
        reply = Console(stack).get(path)
        assert reply.status_code == 302 and reply.headers["Location"] == "/login", path
    assert "Log in" in Console(stack).get("/login").text


def test_each_page_checks_the_role(agent, officer):
    for path in ("/privacy/requests", "/privacy/audit", "/privacy/retention", "/privacy/consent/s_x"):
        assert agent.get(path).status_code == 403, path
    assert officer.get("/queue").status_code == 403
    assert agent.get("/queue").status_code == 200 and officer.get("/privacy/requests").status_code == 200


def test_the_session_cookie_is_secure_httponly_and_strict(stack):
    name, _ = add_staff(stack, "agent")
    console = Console(stack)
    console.get("/login")
    reply = console.post("/login", username=name, password=PASSWORD)
    cookie = reply.headers["Set-Cookie"].lower()
    assert "ht_console=" in cookie and "httponly" in cookie and "secure" in cookie and "samesite=strict" in cookie
    assert "frame-ancestors 'none'" in reply.headers["Content-Security-Policy"]


def test_a_form_without_its_csrf_token_is_refused(stack, agent):
    assert agent.post("/tickets/T-000000/claim", csrf=False).status_code == 403
    assert agent.post("/logout", csrf=False).status_code == 403
    stranger = Console(stack)
    stranger.get("/login")
    assert stranger.post("/login", csrf=False, username="x", password="y").status_code == 403


def test_repeated_failures_lock_the_account(stack, vault):
    name, _ = add_staff(stack, "agent")
    console = Console(stack)
    for _ in range(5):
        assert REFUSED in console.log_in(name, "wrong password!").text
    reply = console.log_in(name)  # the right password, too late
    assert reply.status_code == 401 and REFUSED in reply.text
    actions = [e["action"] for e in vault.audit.entries(limit=50) if e["actor"] == f"staff:{name}"]
    assert actions.count("staff.login_failed") == 5 and "staff.login_locked" in actions


def test_the_privacy_officer_needs_the_second_factor(stack, vault):
    name, secret = add_staff(stack, "privacy_officer")
    assert secret
    console = Console(stack)
    console.get("/login")
    assert console.post("/login", username=name, password=PASSWORD).headers["Location"] == "/totp"
    assert console.get("/privacy/requests").headers["Location"] == "/totp"
    console.get("/totp")
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1000000:06d}"
    leaving = Console(stack)  # one can also log out before the second factor
    leaving.get("/login")
    leaving.post("/login", username=name, password=PASSWORD)
    leaving.get("/totp")
    assert leaving.post("/logout").headers["Location"] == "/login" and leaving.get("/totp").status_code == 302
    assert console.post("/totp", code=wrong).status_code == 401
    console.get("/totp")
    assert console.post("/totp", code=pyotp.TOTP(secret).now()).headers["Location"] == "/"
    assert console.get("/privacy/requests").status_code == 200
    assert console.get("/privacy/audit", verify="1").status_code == 200 and "audit chain intact" in console.page
    again = Console(stack)  # someone who saw the code cannot use it a second time
    again.get("/login")
    again.post("/login", username=name, password=PASSWORD)
    again.get("/totp")
    assert "staff.second_factor" in console.page  # the audit log shows the code accepted
    assert again.post("/totp", code=pyotp.TOTP(secret).now()).status_code == 401


def test_a_page_refreshing_itself_does_not_keep_the_session_alive(agent, vault):
    def last_seen():
        with vault.data.connect() as db:
            return db.execute(
                select(func.max(staff_sessions.c.last_seen))
                .join(staff_accounts, staff_accounts.c.id == staff_sessions.c.staff_id)
                .where(staff_accounts.c.username == agent.name)
            ).scalar()

    agent.get("/queue")
    seen = last_seen()
    time.sleep(1.1)
    assert agent.get("/queue.json", headers={"X-Refresh": "1"}).status_code == 200
    assert last_seen() == seen
    agent.get("/queue")
    assert last_seen() > seen


@pytest.mark.parametrize(
    "text, masked",
    [
        ("my uk number is +44 20 7946 0958", "my uk number is •••• 0958"),
        ("llamame al +52 55 1234 5678", "llamame al •••• 5678"),
        ("born 03/14/1988", "born [a date]"),
        ("dob 1988-03-14", "dob [a date]"),
        ("my birthday is March 14, 1988", "my birthday is [a date]"),
        ("naci el 14 de marzo de 1988", "naci el [a date]"),
        ("the code is 482913", "the code is ••••••"),
        ("can I come 12/08 at 1:30?", "can I come 12/08 at 1:30?"),  # no year: an appointment, not a birth date
    ],
)
def test_numbers_of_any_country_dates_of_birth_and_codes_are_masked(text, masked):
    assert mask(text) == masked


def test_contact_details_are_masked_but_the_clinics_own_are_not():
    text = "Reach me at (214) 555-0147 or zeb@example.org. Ours: 469-421-2618, support@healthtigo.com"
    assert mask(text) == "Reach me at •••• 0147 or •••@example.org. Ours: 469-421-2618, support@healthtigo.com"


# -- handoffs -------------------------------------------------------------------------------


def ticket_of(agent, summary_words: str) -> str:
    rows = agent.get("/queue.json").json()
    return next(row["id"] for row in rows if summary_words in row["summary"])


def test_a_widget_handoff_answered_by_an_agent_and_given_back(stack, agent, vault):
    patient = Browser(stack)
    try:
        patient.session()
        patient.say("my number is 469-555-0199, can someone call me about my bill")
        assert patient.say("I want to talk to a person")
        ticket = ticket_of(agent, "Last message: I want to talk to a person")
        assert agent.post(f"/tickets/{ticket}/claim").headers["Location"] == f"/tickets/{ticket}"
        agent.get(f"/tickets/{ticket}")
        assert "Why are you opening it?" in agent.page  # no transcript without a reason
        agent.get(f"/tickets/{ticket}", reason="answering the patient")
        assert "•••• 0199" in agent.page and "469-555-0199" not in agent.page
        agent.post(f"/tickets/{ticket}/reveal", reason="answering the patient", message="0")
        assert "469-555-0199" in agent.page
        audit = [e for e in vault.audit.entries(limit=20) if e["actor"] == f"staff:{agent.name}"]
        assert {"transcript.view", "transcript.reveal"} <= {e["action"] for e in audit}
        agent.post(f"/tickets/{ticket}/reply", text="Hi, this is Grace from billing. I'll call you in 10 minutes.")
        reply = patient.next("bot_uttered")
        assert reply["text"] == "Hi, this is Grace from billing. I'll call you in 10 minutes."
        agent.get(f"/tickets/{ticket}", reason="answering the patient")
        assert "Grace from billing" in agent.page
        assert agent.post(f"/tickets/{ticket}/resumed").headers["Location"] == "/queue"
        assert patient.next("bot_uttered")["text"] == rasa_api.RESUMED
        assert ticket not in [row["id"] for row in agent.get("/queue.json").json()]
        assert patient.say("what's your phone number?")[0]["text"].count("469-421-2618")
    finally:
        patient.close()


def test_the_ticket_page_masks_the_summary_of_the_last_message(stack, agent, vault):
    sender = f"rest-{secrets.token_hex(8)}"
    stack.say(sender, "hello")
    summary = "Asked for a person. Last message: call me on +44 20 7946 0958, born 03/14/1988, code 482913"
    ticket = vault.tickets.open(
        "handoff",
        vault.conversations.subject_of(sender),
        summary,
        channel="widget",
        conversation_id=vault.conversations.id_for(sender),
    )
    agent.post(f"/tickets/{ticket.id}/claim")
    agent.get(f"/tickets/{ticket.id}", reason="answering the patient")
    assert "•••• 0958" in agent.page
    assert not {"7946", "1988", "482913"} & set(re.findall(r"\d+", agent.page))


def test_an_sms_handoff_is_answered_by_text(stack, twilio, agent):
    phone = Phone(stack, twilio)
    phone.text("I need to speak to a human please")
    ticket = ticket_of(agent, "Last message: I need to speak to a human please")
    agent.post(f"/tickets/{ticket}/claim")
    agent.get(f"/tickets/{ticket}", reason="answering the patient")
    before = len(twilio.to(phone.number))
    agent.post(f"/tickets/{ticket}/reply", text="Hello from the front desk, how can we help?")
    assert twilio.wait_for(phone.number, before + 1)[-1] == "Hello from the front desk, how can we help?"
    agent.post(f"/tickets/{ticket}/closed")
    assert twilio.wait_for(phone.number, before + 2)[-1].startswith("Our team has closed")


def test_an_agent_sees_only_the_queue_and_what_they_claimed(stack, agent):
    other_name, _ = add_staff(stack, "agent")
    other = Console(stack)
    other.log_in(other_name)
    patient = Browser(stack)
    try:
        patient.session()
        patient.say("can I talk to someone from your staff")
        ticket = ticket_of(agent, "Last message: can I talk to someone from your staff")
        agent.post(f"/tickets/{ticket}/claim")
        assert ticket not in [row["id"] for row in other.get("/queue.json").json()]
        assert other.get(f"/tickets/{ticket}", reason="answering the patient").status_code == 404
        other.get("/queue")
        assert other.post(f"/tickets/{ticket}/claim").status_code == 409
    finally:
        patient.close()


def test_a_patient_who_asked_for_deletion_disappears_from_the_console(stack, agent, vault):
    patient = Browser(stack)
    try:
        session = patient.session()
        patient.say("please get me a real person")
        ticket = ticket_of(agent, "Last message: please get me a real person")
        subject = vault.conversations.subject_of(session["session_id"])
        vault.subjects.erase(subject, actor="privacy_officer:test", reason="deletion request")
        assert ticket not in [row["id"] for row in agent.get("/queue.json").json()]
        assert agent.get(f"/tickets/{ticket}", reason="answering the patient").status_code == 404
    finally:
        patient.close()


# -- the privacy officer --------------------------------------------------------------------


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


def test_a_patient_with_a_deletion_request_waiting_is_not_shown_either(agent, vault):
    _, _, _, subject = new_patient(vault)
    ticket = vault.tickets.open(
        "handoff",
        subject,
        "Asked for a person in the web chat.",
        channel="web",
        conversation_id=vault.conversations.id_for(f"web_{secrets.token_hex(8)}"),
    )
    assert ticket.id in [row["id"] for row in agent.get("/queue.json").json()]
    vault.rights.open(subject, "deletion", channel="web")
    assert ticket.id not in [row["id"] for row in agent.get("/queue.json").json()]
    assert agent.get(f"/tickets/{ticket.id}", reason="answering the patient").status_code == 404


def test_an_emergency_while_waiting_raises_the_ticket_above_the_others_with_an_alert(stack, agent):
    calm, urgent = Chat(stack), Chat(stack)
    calm("I want to talk to a person about my bill")
    urgent("let me talk to someone please")
    urgent("my wife just collapsed and she isn't breathing")
    rows = agent.get("/queue.json").json()
    ids = [row["id"] for row in rows]
    ticket = next(row for row in rows if "Last message: let me talk to someone please" in row["summary"])
    waiting = next(row for row in rows if "Last message: I want to talk to a person about my bill" in row["summary"])
    assert ticket["emergency"] and not waiting["emergency"]
    assert ids.index(ticket["id"]) < ids.index(waiting["id"])
    assert all(row["emergency"] for row in rows[: ids.index(ticket["id"]) + 1])
    agent.get("/queue")
    alert = re.search(r'<div id="emergency-alert"[^>]*>', agent.page).group(0)
    assert 'role="alert"' in alert and "hidden" not in alert
