"""The web chat widget in a real browser (Debian's Chromium, driven by Playwright) against the real servers."""

import re
import time
from datetime import datetime

import requests
from playwright.sync_api import expect

from bot.scheduling.when import CLINIC_TZ
from harness.registration import last_code, new_patient, open_day, spoken
from harness.servers import PROJECT_ROOT
from harness.widget_page import Widget

SCREENSHOT = PROJECT_ROOT / "var" / "screenshots" / "widget.png"
XSS_TAG = '<img src=x onerror="window.__pwned=1">'
XSS_LINK = "[click](javascript:window.__pwned=2)"


def test_the_notice_is_accepted_once_and_the_bot_answers_with_a_time(widget, stack):
    widget.page.goto(widget.url)
    widget.launcher.click()
    expect(widget.dialog).to_be_visible()
    notice = widget.dialog.locator(".ht-notice")
    expect(notice).to_contain_text("automated assistant")
    expect(notice).to_contain_text("not a clinician")
    expect(notice).to_contain_text("call 911")
    policy = notice.get_by_role("link", name="data policy")
    assert policy.get_attribute("href") == f"{stack.base_url}/webhooks/widget/policy"
    assert requests.get(policy.get_attribute("href"), timeout=10).status_code == 200
    expect(widget.input).to_be_hidden()  # nothing can be sent before the notice is accepted
    widget.page.get_by_role("button", name="I understand").click()

    reply = widget.say("hello", "Healthtigo's virtual assistant")
    shown = reply.locator("time")
    expect(shown).to_have_text(re.compile(r"^\d{1,2}:\d{2}\s?(AM|PM)?$", re.I))
    sent = datetime.fromisoformat(shown.get_attribute("datetime").replace("Z", "+00:00"))
    assert abs(sent.timestamp() - time.time()) < 120

    widget.page.keyboard.press("Escape")
    widget.launcher.click()
    expect(widget.input).to_be_visible()  # accepted once per tab
    assert widget.page.evaluate("localStorage.length") == 0  # nothing outlives the tab


def test_booking_by_clicking_the_quick_replies(widget, stack, vault):
    name, born, _, subject = new_patient(vault)
    widget.open()
    widget.say("I want to book an appointment", "full name")
    widget.say(name, "date of birth")
    widget.say(born.strftime("%m/%d/%Y"), "6-digit code")
    widget.say(last_code(vault, subject), "verified")
    widget.reply("What kind of visit")
    widget.say("I have crushing chest pain and can't breathe", "Call 911 now")  # ends the booking at once
    widget.say("I want to book an appointment", "What kind of visit")  # the patient stays verified
    expect(widget.page.get_by_role("button", name="Phone")).to_be_visible()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    widget.page.screenshot(path=SCREENSHOT)

    widget.choose("Video")
    expect(widget.users.last).to_contain_text("Video")  # the title is shown...
    widget.reply("When would you like to come")  # no clinician asked for: the first available is offered
    assert stack.tracker(widget.session_id())["latest_message"]["text"] == "video"  # ...the payload is sent
    expect(widget.page.get_by_role("button", name="Phone")).to_have_count(0)  # used: gone

    day = open_day(vault, 13)
    widget.say(f"{spoken(day)} at 1pm", "Shall I book")
    widget.choose("Yes, book it")
    widget.reply("You're booked")
    booked = vault.appointments.upcoming(subject)
    assert [
        (a.starts_at.astimezone(CLINIC_TZ).date(), a.starts_at.astimezone(CLINIC_TZ).hour, a.visit_type) for a in booked
    ] == [(day, 13, "video")]
    expect(widget.page.get_by_role("button", name="Not now")).to_be_visible()  # the intake is offered


def test_an_emergency_is_shown_as_an_alert(widget):
    widget.open()
    widget.say("hello", "Healthtigo's virtual assistant")
    expect(widget.log.get_by_role("alert")).to_have_count(0)
    widget.say("I have crushing chest pain and can't breathe", "911")
    alert = widget.log.get_by_role("alert")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text("Call 911 now")
    expect(alert).to_have_class(re.compile(r"\bht-emergency\b"))
    for number, href in (("911", "tel:911"), ("988", "tel:988"), ("1-800-222-1222", "tel:18002221222")):
        expect(alert.get_by_role("link", name=number, exact=True).first).to_have_attribute("href", href)
    widget.say("hello again", "Healthtigo")
    expect(alert).to_have_count(1)  # only the emergency is an alert


def test_the_emergency_answer_to_a_spanish_message_is_in_spanish(widget):
    widget.open()
    widget.say("no puedo respirar, ayuda", "911")
    alert = widget.log.get_by_role("alert")
    expect(alert).to_contain_text("Llame al 911 ahora")
    expect(alert.get_by_role("link", name="911", exact=True).first).to_have_attribute("href", "tel:911")


def test_a_reload_shows_the_conversation_and_it_goes_on(widget, stack):
    widget.open()
    widget.say("hello", "Healthtigo's virtual assistant")
    widget.say("what's your phone number?", "469-421-2618")
    session = widget.session_id()

    widget.page.reload()
    expect(widget.dialog).to_be_visible()  # it was open
    expect(widget.users).to_have_count(2)
    expect(widget.users.first).to_contain_text("hello")
    expect(widget.log).to_contain_text("Healthtigo's virtual assistant")
    expect(widget.log).to_contain_text("support@healthtigo.com")
    assert widget.session_id() == session
    widget.say("thanks a lot", "You're welcome")
    expect(widget.users).to_have_count(3)

    other = Widget(widget.page.context.new_page(), stack.base_url).open()  # a new tab starts afresh
    assert other.session_id() != session
    expect(other.log.locator(".ht-msg")).to_have_count(0)


def test_message_text_is_never_markup(widget):
    widget.open()
    for text in (XSS_TAG, XSS_LINK):
        widget.send(text)
        expect(widget.users.last).to_contain_text(text)
        expect(widget.replies.first).to_be_visible()
    expect(widget.log.locator("img, script, a[href^='javascript']")).to_have_count(0)
    assert widget.page.evaluate("typeof window.__pwned") == "undefined"

    # The renderer the bot's messages go through, on hostile and on legitimate text.
    rendered = widget.page.evaluate(
        """(texts) => texts.map((text) => {
        const box = document.createElement("div");
        box.append(HealthtigoWidget.render(text));
        document.body.append(box);
        return {
            tags: [...box.querySelectorAll("*")].map((node) => node.tagName.toLowerCase()),
            links: [...box.querySelectorAll("a")].map((a) => [a.href, a.rel, a.target]),
            text: box.textContent,
        };
    })""",
        [
            XSS_TAG + "<script>window.__pwned=3</script>",
            XSS_LINK,
            "[x](data:text/html,<b>hi</b>)",
            "See **our policy**: [policy](https://healthtigo.com/policy)\n- one\n- two\n\nhttps://healthtigo.com/x.",
        ],
    )
    tag, js_link, data_link, good = rendered
    assert tag["tags"] == ["p"] and "<img" in tag["text"] and "<script>" in tag["text"]
    assert js_link == {"tags": ["p"], "links": [], "text": XSS_LINK}
    assert data_link["links"] == [] and data_link["text"] == "[x](data:text/html,<b>hi</b>)"
    assert good["tags"] == ["p", "strong", "a", "ul", "li", "li", "p", "a"]
    assert good["links"] == [
        ["https://healthtigo.com/policy", "noopener noreferrer", "_blank"],
        ["https://healthtigo.com/x", "noopener noreferrer", "_blank"],
    ]
    widget.page.wait_for_timeout(200)  # an <img onerror> would have fired by now
    assert widget.page.evaluate("typeof window.__pwned") == "undefined"


# The intake's questions and the patient's answers: its summary repeats the answers.
INTAKE_ANSWERS = {
    "store your answers": "no",
    "main reason": "a headache",  # not asked: "I feel unwell" is the reason
    "What symptoms": XSS_TAG,
    "Since when": XSS_LINK,
    "from 0 (nothing) to 10": "2",
    "Which medicines": "none",
    "allergies": "none",
    "health conditions": "none",
}


def test_patient_text_repeated_by_the_bot_is_not_markup(widget):
    widget.open()
    widget.send("I feel unwell")
    for _ in range(2 * len(INTAKE_ANSWERS)):
        asked = widget.replies.last.inner_text()
        if "Here is what you told me" in asked:
            break
        answers = [answer for question, answer in INTAKE_ANSWERS.items() if question in asked]
        assert answers, f"unexpected question: {asked}"
        widget.send(answers[0])
    summary = widget.reply("Here is what you told me")
    expect(summary).to_contain_text(XSS_TAG)
    expect(summary).to_contain_text(XSS_LINK)
    expect(widget.log.locator("img, script, a")).to_have_count(0)
    assert widget.page.evaluate("typeof window.__pwned") == "undefined"


def test_on_a_phone_the_panel_fills_the_screen(widget):
    widget.page.set_viewport_size({"width": 375, "height": 667})
    widget.open()
    panel = widget.dialog.bounding_box()
    assert (panel["x"], panel["y"], panel["width"], panel["height"]) == (0, 0, 375, 667)
    field = widget.input.bounding_box()
    assert field["width"] > 200 and field["y"] + field["height"] <= 667
    expect(widget.input).to_be_in_viewport()


def test_the_keyboard_reaches_everything_and_focus_is_managed(widget):
    page = widget.page
    page.goto(widget.url)
    page.keyboard.press("Tab")
    expect(widget.launcher).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # a visible focus ring
    page.keyboard.press("Enter")
    expect(widget.dialog).to_be_visible()
    expect(page.get_by_role("button", name="I understand")).to_be_focused()
    page.keyboard.press("Enter")
    expect(widget.input).to_be_focused()

    page.keyboard.type("what can you do?")
    page.keyboard.press("Enter")
    widget.reply("I can")
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="Talk to a person")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send")).to_be_focused()

    page.keyboard.press("Escape")
    expect(widget.dialog).to_be_hidden()
    expect(widget.launcher).to_be_focused()
    page.keyboard.press("Enter")
    expect(widget.input).to_be_focused()
