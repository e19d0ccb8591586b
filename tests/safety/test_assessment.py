"""safety.assess as the assistant uses it: the issue's examples, the guidance line, the language,
the evidence, the danger question's answers."""

import pytest

from bot.emergency import danger_question
from safety import ASK, CALL_911, CRISIS_988, EMERGENCY, NONE, POISON_CONTROL, assess

EMERGENCIES = [
    # the misses reported by patients
    ("honestly I don't see the point in going on anymore, everyone would be better off without me", CRISIS_988, "en"),
    ("quiero morir", CRISIS_988, "es"),
    ("my son fell off the bed and hit his head, he threw up twice and is really sleepy", CALL_911, "en"),
    ("my brother has a gunshot wound", CALL_911, "en"),
    ("his bone is sticking out through the skin", CALL_911, "en"),
    ("i think he od'd on fent", POISON_CONTROL, "en"),
    ("i feel so sucidal", CRISIS_988, "en"),
    ("asthma attack and my inhaler isn't helping", CALL_911, "en"),
    ("I've been stabbed, I need someone", CALL_911, "en"),
    # the word itself
    ("emergency", CALL_911, "en"),
    ("this is an emergency", CALL_911, "en"),
    ("it's an emergency, I need help now", CALL_911, "en"),
    ("es una emergencia", CALL_911, "es"),
    # the categories, as people write them
    ("I have crushing chest pain", CALL_911, "en"),
    ("her face is drooping and she can't lift her arm", CALL_911, "en"),
    ("I can't breathe", CALL_911, "en"),
    ("my father collapsed", CALL_911, "en"),
    ("my son is having a seizure", CALL_911, "en"),
    ("I want to kill myself", CRISIS_988, "en"),
    ("i wanna kms", CRISIS_988, "en"),
    ("my toddler swallowed some bleach", POISON_CONTROL, "en"),
    ("he won't stop bleeding", CALL_911, "en"),
    ("my throat is closing after a bee sting", CALL_911, "en"),
    ("my daughter pulled boiling water on herself and her chest is blistering", CALL_911, "en"),
    ("I'm 30 weeks pregnant and bleeding heavily", CALL_911, "en"),
    ("my 5 week old has a fever of 100.9", CALL_911, "en"),
    ("he's diabetic and his sugar is 40 and he's confused", CALL_911, "en"),
    ("sudden severe pain in my testicle and I'm throwing up", CALL_911, "en"),
    ("I suddenly can't see out of my left eye", CALL_911, "en"),
    ("my husband is hitting me and says he'll kill me", CALL_911, "en"),
    ("no puedo respirar", CALL_911, "es"),
    ("mi hijo se tomó unas pastillas de mi mamá", POISON_CONTROL, "es"),
    ("me duele mucho el pecho y el brazo izquierdo", CALL_911, "es"),
    # one sentence among several
    (
        "hi, can I move my Tuesday appointment? also my wife's speech is slurred and her face looks droopy",
        CALL_911,
        "en",
    ),
]

NOT_EMERGENCIES = [
    # the false alarms reported by patients
    "I had a heart attack years ago, I need my yearly check up",
    "my doctor ordered a chest x-ray, can I walk in",
    "please refill my seizure medicine",
    "family history: my grandmother had a stroke",
    "I nicked myself shaving, it stopped bleeding",
    "I stubbed my toe, it's a little bruised",
    # negated, mild, past and figurative
    "no chest pain, just a cough since Monday",
    "I'm not suicidal, just tired all the time",
    "this paperwork is killing me",
    "I'm dying to know my lab results",
    "I get short of breath climbing stairs",
    "I'd like to book an appointment for next Tuesday",
    "I need to update my emergency contact",
    "what are the signs of a stroke?",
    "tengo tos desde el lunes pero respiro bien",
    # everyday messages that once raised an alarm
    "I don't want to continue this form, let's end this chat",
    "stomach pain and nausea since 2 days ago",
    "can you help me please book a visit",
]


@pytest.mark.parametrize("text, line, lang", EMERGENCIES)
def test_emergencies_get_their_guidance_line_and_language(text, line, lang):
    found = assess(text)
    assert found.level == EMERGENCY, (text, found)
    assert found.line == line and found.language == lang
    assert found.category and found.evidence


@pytest.mark.parametrize("text", NOT_EMERGENCIES)
def test_harmless_mentions_are_not_emergencies(text):
    assert assess(text).level == NONE, text


@pytest.mark.parametrize(
    "text",
    [
        "I've been a bit short of breath today",
        "I had a seizure",
        "my chest feels weird",
        "help",
        "help me please",
        "I don't want to keep going",
    ],
)
def test_uncertain_evidence_asks(text):
    assert assess(text).level == ASK


def test_a_headache_that_will_not_go_away_or_a_high_pressure_after_giving_birth_is_an_emergency():
    headache = "had my baby 5 days ago and now i have a headache that wont go away"
    for text in (headache, "gave birth last week, bp 168/110"):
        assert assess(text).level == EMERGENCY and assess(text).category == "pregnancy", text


def test_a_doubtful_red_flag_in_a_message_the_backstop_is_sure_of_is_an_emergency():
    text = "sitting at my desk and i feel like im going to pass out, everything is spinning and my hands are numb"
    assert assess(text).level == EMERGENCY
    assert assess("i feel like im going to pass out").level == ASK  # too short for the backstop to judge


def test_an_overdose_with_suicidal_intent_leads_with_the_general_answer_that_names_every_line():
    found = assess("I took all my pills because I want to die")
    assert found.level == EMERGENCY and found.line == CALL_911 and found.category == "suicide_self_harm"


def test_the_evidence_names_the_words_that_decided():
    assert "collapsed" in assess("Help, my father collapsed in the kitchen").evidence


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_danger_questions_buttons_are_understood_in_any_state(lang):
    yes, no = (button["payload"] for button in danger_question(lang)["buttons"])
    assert assess(yes).level == EMERGENCY and assess(yes).language == lang
    assert assess(no).level == NONE
