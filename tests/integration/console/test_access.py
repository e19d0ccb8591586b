"""Who may see what in the staff console, against the running servers: the login page for anyone
logged out, each page's role, the cookie's flags, CSRF tokens, lock-out, the second factor, and a
session that a page refreshing itself does not keep alive."""

import time

import pyotp
from sqlalchemy import func, select

from harness.staff import PASSWORD, Console, add_staff
from privacy.clinic.staff import REFUSED
from privacy.store.schema import staff_accounts, staff_sessions


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
