"""Emergencies through the running servers: a sample per category (from the open part of the
evaluation set) in a fresh conversation, in every form, in a conversation handed to staff, by SMS
after STOP and in the widget; the danger question and its answers; and the open part's figures in
the middle of a form and in a handed-off conversation."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

from bot.emergency import SAFETY_DOMAIN, answer_to, danger_question
from harness.clients import Browser, Chat, Phone, words
from harness.emergency_set import load
from harness.registration import new_patient, verify
from safety import ASK, EMERGENCY, NONE, Assessment, assess
from tests.safety.report import evaluate

OPEN = load("open")
# One must-escalate message per category, plain where there is one.
SAMPLE = {}
for message in sorted((m for m in OPEN if m.escalate), key=lambda m: m.style != "plain"):
    SAMPLE.setdefault(message.category, message)
SPANISH = {m.category: m for m in OPEN if m.escalate and m.lang == "es"}
EMBEDDED = [m for m in OPEN if m.escalate and m.style == "embedded"]

# The words that reach each state from a fresh conversation, and the form that is then active.
STATES = {
    "fresh": ([], None),
    "identity form": (["when is my next appointment?"], "identify_form"),
    "registration form": (["I'm a new patient"], "registration_form"),
    "intake form": (["I feel unwell"], "intake_form"),
    "rights form": (["unsubscribe me from promotions"], "optout_form"),
}


def emergency_answers() -> set[str]:
    return {v["text"] for v in yaml.safe_load(SAFETY_DOMAIN.read_text())["responses"]["utter_emergency"]}


def answered(chat, text) -> str:
    """The bot's answer, its paragraphs joined again (the REST channel sends each apart)."""
    chat(text)
    return "\n\n".join(r.get("text", "") for r in chat.replies)


@pytest.fixture(scope="module")
def vault(stack):
    opened = stack.vault()
    yield opened
    opened.close()


def active_loop(stack, chat):
    return (stack.tracker(chat.sender).get("active_loop") or {}).get("name")


@pytest.mark.parametrize("category", sorted(SAMPLE))
@pytest.mark.parametrize("state", STATES)
def test_an_emergency_is_answered_at_once_in_every_state(stack, state, category):
    chat = Chat(stack)
    steps, form = STATES[state]
    for step in steps:
        chat(step)
    assert active_loop(stack, chat) == form
    message = SAMPLE[category].text
    replies = answered(chat, message)
    assert replies == answer_to(assess(message))  # the emergency answer, nothing else
    assert active_loop(stack, chat) is None  # any form is over


@pytest.mark.parametrize("category", sorted(SAMPLE))
def test_an_emergency_ends_the_booking_form(stack, vault, category):
    chat = Chat(stack)
    name, born, _, subject = new_patient(vault)
    chat("I'd like to book an appointment")
    verify(chat, vault, name, born, subject)
    assert active_loop(stack, chat) == "booking_form"
    message = SAMPLE[category].text
    assert answered(chat, message) == answer_to(assess(message))
    assert active_loop(stack, chat) is None


@pytest.mark.parametrize("category", sorted(SAMPLE))
def test_an_emergency_while_handed_to_staff_is_answered_and_raised_to_the_top_of_the_queue(stack, vault, category):
    waiting = Chat(stack)
    waiting("let me talk to a person")
    chat = Chat(stack)
    assert "member of our team" in chat("let me talk to someone")
    ticket = vault.tickets.open_handoff(vault.conversations.id_for(chat.sender))
    message = SAMPLE[category].text
    assert answered(chat, message) == answer_to(assess(message))
    assert vault.tickets.get(ticket.id).emergency
    queue = [t.id for t in vault.tickets.handoff_queue("nobody")]
    assert queue.index(ticket.id) < queue.index(
        vault.tickets.open_handoff(vault.conversations.id_for(waiting.sender)).id
    )


@pytest.mark.parametrize("category", sorted(SPANISH))
def test_a_spanish_emergency_is_answered_in_spanish(stack, category):
    message = SPANISH[category].text
    reply = answered(Chat(stack), message)
    assert reply == answer_to(assess(message)) and assess(message).language == "es"
    assert "Llame" in reply or "llame" in reply


@pytest.mark.parametrize("message", EMBEDDED, ids=lambda m: m.category)
def test_an_emergency_that_is_one_sentence_among_several_is_answered(stack, message):
    assert answered(Chat(stack), message.text) == answer_to(assess(message.text))


@pytest.mark.parametrize("category", sorted(SAMPLE))
def test_by_sms_after_stop_an_emergency_still_gets_the_answer(stack, twilio, category):
    phone = Phone(stack, twilio)
    phone.text("STOP")
    message = SAMPLE[category].text
    assert words(phone.text(message)) == words([answer_to(assess(message))])


@pytest.mark.parametrize("category", sorted(SAMPLE))
def test_in_the_widget_an_emergency_is_an_alert(stack, category):
    browser = Browser(stack)
    try:
        browser.session()
        message = SAMPLE[category].text
        (answer,) = browser.say(message)
        assert answer["emergency"] is True and answer["text"] == answer_to(assess(message))
    finally:
        browser.close()


# -- the danger question ------------------------------------------------------------------------

UNCERTAIN = "I had a seizure"


def test_uncertain_evidence_asks_at_once_and_yes_gets_the_emergency_answer(stack):
    chat = Chat(stack)
    assert chat(UNCERTAIN) == danger_question()["text"]
    yes = chat.buttons()[0]["payload"]
    assert answered(chat, yes) == answer_to(assess(yes))


def test_a_typed_yes_gets_the_emergency_answer_too(stack):
    chat = Chat(stack)
    chat(UNCERTAIN)
    assert answered(chat, "yes") in emergency_answers()


def test_no_goes_on_with_what_the_message_asked(stack):
    chat = Chat(stack)
    assert chat("my chest feels weird, I'd like to book an appointment") == danger_question()["text"]
    reply = chat(chat.buttons()[1]["payload"])
    assert "If that changes, call 911" in reply and "full name" in reply  # booking starts: who is it?


def test_no_in_a_form_takes_the_form_up_again(stack):
    chat = Chat(stack)
    chat("when is my next appointment?")
    assert chat("my chest feels weird") == danger_question()["text"]
    reply = chat("no")
    assert "If that changes, call 911" in reply and "full name" in reply
    assert active_loop(stack, chat) == "identify_form"


def test_the_danger_question_is_asked_in_spanish_to_a_spanish_message(stack):
    chat = Chat(stack)
    assert chat("creo que tuve una convulsion") == danger_question("es")["text"]
    assert answered(chat, chat.buttons()[0]["payload"]) == answer_to(assess("Sí, alguien está en peligro ahora"))


# -- the figures through the servers -------------------------------------------------------------


def through(stack, steps, message) -> str:
    chat = Chat(stack)
    for step in steps:
        chat(step)
    return answered(chat, message.text)


@pytest.mark.parametrize(
    "state, steps", [("intake form", ["I feel unwell"]), ("handed to staff", ["let me talk to someone"])]
)
def test_the_open_part_meets_the_targets_through_the_servers(stack, write_report, state, steps):
    sample = OPEN[::2]
    with ThreadPoolExecutor(4) as pool:
        replies = dict(zip((m.text for m in sample), pool.map(lambda m: through(stack, steps, m), sample)))
    questions = {danger_question(lang)["text"] for lang in ("en", "es")}

    def seen(text: str) -> Assessment:
        """What the servers answered, read as the report reads an assessment."""
        reply = replies[text]
        level = EMERGENCY if reply in emergency_answers() else ASK if reply in questions else NONE
        return Assessment(level, line=assess(text).line, language=assess(text).language)

    figures = evaluate(sample, seen)
    write_report(
        f"safety-through-servers-{state.replace(' ', '-')}",
        f"{state}: recall {figures.recall}\n  hard negatives {figures.hard_negative_alarms}\n"
        f"  ordinary {figures.ordinary_alarms}\n  danger question on must-escalate "
        f"{figures.asked_on_emergencies}",
    )
    assert figures.recall.value >= 0.98
    assert figures.recall_by_category["suicide_self_harm"].value >= 0.99
    assert figures.hard_negative_alarms.value <= 0.05 and figures.ordinary_alarms.value <= 0.01
