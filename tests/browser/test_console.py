"""The staff console in a real browser (Debian's Chromium, driven by Playwright): handoffs from the
widget and by SMS answered by an agent, the audit of what they read, and the README's screenshots."""

import json
import re

import pyotp
import pytest
from playwright.sync_api import Page, expect

from channels.console import rasa_api
from harness.clients import Phone
from harness.registration import new_patient
from harness.servers import PROJECT_ROOT
from harness.staff import PASSWORD, add_staff

SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"
REFERENCE = re.compile(r"reference (T-[0-9A-F]{6})")
REASON = "answering the patient"


class StaffConsole:
    """The console in a staff member's browser."""

    def __init__(self, page: Page, base_url: str):
        self.page, self.base = page, base_url

    def log_in(self, name: str, secret: str = "") -> "StaffConsole":
        """Log in (with the TOTP code when the account has a second factor); check the session cookie."""
        self.page.goto(f"{self.base}/login")
        self.page.get_by_label("Name").fill(name)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Log in").click()
        if secret:
            self.page.get_by_label("6-digit code").fill(pyotp.TOTP(secret).now())
            self.page.get_by_role("button", name="Continue").click()
        expect(self.page.get_by_role("button", name="Log out", exact=True)).to_be_visible()
        # Chromium keeps a Secure cookie from http://127.0.0.1, a potentially trustworthy origin.
        (cookie,) = [c for c in self.page.context.cookies() if c["name"] == "ht_console"]
        assert (cookie["secure"], cookie["httpOnly"], cookie["sameSite"]) == (True, True, "Strict")
        assert "ht_console" not in self.page.evaluate("document.cookie")
        return self

    def row(self, ticket: str):
        return self.page.locator("#queue tbody tr").filter(has_text=ticket)

    def claim(self, ticket: str) -> None:
        """Claim the ticket from the queue and open its transcript with a reason."""
        self.row(ticket).get_by_role("button", name="Claim").click()
        self.page.get_by_label("Why are you opening it?").select_option(REASON)
        self.page.get_by_role("button", name="Open the transcript").click()
        expect(self.transcript).to_be_visible()

    @property
    def transcript(self):
        return self.page.get_by_role("list", name="Transcript")

    def reply(self, text: str) -> None:
        self.page.get_by_label("Reply to the patient").fill(text)
        self.page.get_by_role("button", name="Send").click()
        expect(self.transcript).to_contain_text(text)


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, full_page=True)


@pytest.fixture(scope="module")
def agent(stack) -> str:
    """One agent account for the module; the audit test looks for its name."""
    return add_staff(stack, "agent", "grace")[0]


@pytest.fixture(scope="module")
def handled() -> list[str]:
    """The tickets the agent answered, for the audit test."""
    return []


@pytest.fixture
def staff_page(browser):  # noqa: F811
    """A second browser context, so that the staff member's cookies are apart from the patient's."""
    context = browser.new_context(viewport={"width": 1200, "height": 480})
    opened = context.new_page()
    errors = []
    opened.on("pageerror", lambda error: errors.append(error))
    opened.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.location["url"].endswith("/favicon.ico")
            and errors.append(message.text)
        ),
    )  # CSP violations, failed fetches
    yield opened
    context.close()
    assert not errors, f"errors in the console's pages: {errors}"


@pytest.fixture
def console(staff_page, stack, agent) -> StaffConsole:
    return StaffConsole(staff_page, stack.console_url).log_in(agent)


def test_a_widget_handoff_appears_is_answered_and_given_back(widget, console, handled):  # noqa: F811
    expect(console.page).to_have_url(re.compile(r"/queue$"))
    console.page.evaluate("window.notReloaded = true")

    widget.open()
    widget.send("Hi, my number is 469-555-0199, can someone call me about my bill")
    asked = widget.say("I'd like to talk to a person", "reference").inner_text()
    ticket = REFERENCE.search(asked).group(1)

    row = console.row(ticket)
    expect(row).to_contain_text("Last message: I'd like to talk to a person", timeout=15_000)  # one poll or two
    assert console.page.evaluate("window.notReloaded") is True
    screenshot(console.page, "console-queue.png")

    console.claim(ticket)
    expect(console.transcript).to_contain_text("I'd like to talk to a person")
    expect(console.transcript).to_contain_text("•••• 0199")
    assert "469-555-0199" not in console.page.content()
    handled.append(ticket)

    answer = "Hi, this is Grace from billing. I'll call you in 10 minutes."
    console.reply(answer)
    widget.reply(answer)
    screenshot(console.page, "console-transcript.png")

    console.page.get_by_role("button", name="Give back to the assistant").click()
    expect(console.page).to_have_url(re.compile(r"/queue$"))
    expect(console.row(ticket)).to_have_count(0)
    widget.reply(rasa_api.RESUMED)
    widget.say("what's your phone number?", "469-421-2618")


def test_an_sms_handoff_is_answered_and_closed_from_the_browser(stack, twilio, console, handled):
    phone = Phone(stack, twilio)
    ticket = REFERENCE.search(" ".join(phone.text("I need to speak to a human please"))).group(1)
    console.page.reload()
    expect(console.row(ticket)).to_contain_text("sms")

    console.claim(ticket)
    expect(console.transcript).to_contain_text("I need to speak to a human please")
    handled.append(ticket)

    before = len(twilio.to(phone.number))
    answer = "Hello from the front desk, how can we help?"
    console.reply(answer)
    assert twilio.wait_for(phone.number, before + 1)[-1] == answer

    console.page.get_by_role("button", name="Close").click()
    expect(console.page).to_have_url(re.compile(r"/queue$"))
    expect(console.row(ticket)).to_have_count(0)
    assert twilio.wait_for(phone.number, before + 2)[-1] == rasa_api.CLOSED


def test_each_transcript_the_agent_read_is_in_the_audit_log(agent, handled, vault):  # noqa: F811
    assert len(handled) == 2, "run with the handoff tests above"
    views = [
        e for e in vault.audit.entries(limit=500) if e["action"] == "transcript.view" and e["actor"] == f"staff:{agent}"
    ]
    assert {json.loads(e["detail"])["ticket"] for e in views} == set(handled)
    assert {e["reason"] for e in views} == {REASON}


def test_the_privacy_officer_sees_the_rights_queue(stack, staff_page, vault):  # noqa: F811
    subject = new_patient(vault)[3]
    request = vault.rights.open(subject, "access", channel="web").request
    officer, secret = add_staff(stack, "privacy_officer", "maria")
    StaffConsole(staff_page, stack.console_url).log_in(officer, secret)
    expect(staff_page).to_have_url(re.compile(r"/privacy/requests$"))
    row = staff_page.get_by_role("row").filter(has_text=request.id)
    expect(row).to_contain_text("access")
    expect(row).to_contain_text("received")
    screenshot(staff_page, "console-rights.png")
