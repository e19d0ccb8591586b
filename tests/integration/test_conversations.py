"""Each conversation of the assistant, over the REST channel of the real servers."""

import pytest
import requests

from harness.nlu import examples
from harness.servers import PROJECT_ROOT


def texts(replies):
    return " ".join(reply.get("text", "") for reply in replies)


def test_greet(stack, sender):
    assert "Healthtigo's virtual assistant" in texts(stack.say(sender, "hi there"))


def test_goodbye(stack, sender):
    assert "Goodbye" in texts(stack.say(sender, "bye for now"))


def test_thank_then_nothing_else_ends_the_conversation(stack, sender):
    reply = texts(stack.say(sender, "thanks a lot"))
    assert "You're welcome" in reply and "anything else" in reply
    assert "Goodbye" in texts(stack.say(sender, "no, thank you"))


def test_thank_then_something_else_asks_what(stack, sender):
    stack.say(sender, "thank you so much")
    assert "what would you like to know" in texts(stack.say(sender, "yes")).lower()


def test_bot_challenge_says_it_is_automated_and_not_a_clinician(stack, sender):
    reply = texts(stack.say(sender, "am I talking to a robot?"))
    assert "automated assistant" in reply and "not a clinician" in reply


def test_help_lists_what_it_can_do(stack, sender):
    reply = texts(stack.say(sender, "what can you do?"))
    assert "how to reach Healthtigo" in reply and "I don't diagnose" in reply


def test_contact_info_is_given_exactly_as_the_policy_gives_it(stack, sender):
    reply = texts(stack.say(sender, "what's your phone number?"))
    for fact in ("support@healthtigo.com", "6136 Frisco Square Blvd, Frisco, TX, 75034", "469-421-2618"):
        assert fact in reply


@pytest.mark.parametrize(
    "question, expected, not_expected",
    [
        ("do you share my data with anyone?", "explicit consent", "we collect four kinds"),
        ("how long do you keep my information?", "as long as we need it", "explicit consent"),
        ("what information do you collect?", "four kinds of information", "as long as we need"),
        ("is my data safe with you?", "unauthorized access", "four kinds"),
        ("what are my privacy rights?", "machine-readable", "four kinds"),
    ],
)
def test_privacy_question_answers_the_question_asked(stack, sender, question, expected, not_expected):
    reply = texts(stack.say(sender, question)).lower()
    assert expected.lower() in reply
    assert not_expected.lower() not in reply


def test_out_of_scope(stack, sender):
    assert "not something I can help with" in texts(stack.say(sender, "tell me a joke"))


def test_low_confidence_asks_to_rephrase_and_offers_a_person(stack, sender):
    # Which messages the model is unsure about depends on the model: ask it, over the held-out set.
    candidates = [text for _, text in examples(PROJECT_ROOT / "tests" / "nlu" / "heldout.yml")]
    unclear = None
    for text in candidates:
        parse = requests.post(
            f"{stack.api_url}/model/parse", headers=stack.api_headers(), json={"text": text}, timeout=30
        ).json()
        if parse["intent"]["name"] == "nlu_fallback" and "red_flag" not in str(parse["entities"]):
            unclear = text
            break
    assert unclear, "the model is sure of every held-out sentence: the fallback cannot be shown"
    replies = stack.say(sender, unclear)
    assert "say it another way" in texts(replies)
    payloads = [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert "I want to talk to a person" in payloads


@pytest.mark.parametrize(
    "message, lead",
    [
        ("my father collapsed", "Call 911 now"),
        ("I have crushing chest pain", "Call 911 now"),
        ("I want to kill myself", "988"),
        ("my toddler swallowed bleach", "1-800-222-1222"),
    ],
)
def test_emergency_is_answered_at_once_with_its_guidance(stack, sender, message, lead):
    reply = texts(stack.say(sender, message))
    assert lead in reply and "911" in reply


def test_emergency_in_the_middle_of_a_conversation_is_answered_at_once(stack, sender):
    stack.say(sender, "hello")
    stack.say(sender, "tell me about your privacy policy")
    assert "anything else" in texts(stack.say(sender, "thanks"))
    reply = texts(stack.say(sender, "wait, my wife can't breathe"))
    assert "Call 911 now" in reply
    assert "Goodbye" in texts(stack.say(sender, "bye"))


@pytest.mark.parametrize("message", ["I have a mild runny nose", "my ankle is a little sore"])
def test_a_mild_complaint_is_not_treated_as_an_emergency_and_is_not_diagnosed(stack, sender, message):
    reply = texts(stack.say(sender, message))
    assert "This may be" not in reply and "Call 911 now" not in reply
    assert "can't diagnose" in reply


def test_a_slash_message_is_understood_as_words_not_as_an_intent_payload(stack, sender):
    stack.say(sender, "/request_data_deletion")
    latest = stack.tracker(sender)["latest_message"]
    assert latest["text"] == "request_data_deletion"
    # Rasa's payload parser gives a single intent; the NLU model ranks several.
    assert len(latest["intent_ranking"]) > 1


def test_a_slash_cannot_smuggle_past_the_red_flag_check(stack, sender):
    assert "Call 911 now" in texts(stack.say(sender, "/greet my father collapsed"))
