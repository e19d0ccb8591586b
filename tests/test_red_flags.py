"""The deterministic red-flag check, on its own."""
import pytest

from bot.safety.red_flags import CALL_911, CRISIS_988, POISON_CONTROL, detect

EMERGENCIES = [
    ("I have crushing chest pain", CALL_911),
    ("my dad has pain in his chest and it's going down his left arm", CALL_911),
    ("i think im having a heart attack", CALL_911),
    ("her face is drooping and she can't lift her arm", CALL_911),
    ("his speech is slurred all of a sudden", CALL_911),
    ("I can't breathe", CALL_911),
    ("my baby is not breathing", CALL_911),
    ("he's choking", CALL_911),
    ("my father collapsed", CALL_911),
    ("she is unconscious", CALL_911),
    ("I can't wake him up", CALL_911),
    ("my son is having a seizure", CALL_911),
    ("he won't stop bleeding", CALL_911),
    ("I'm coughing up blood", CALL_911),
    ("my throat is closing after a bee sting", CALL_911),
    ("I think it's anaphylaxis", CALL_911),
    ("I want to kill myself", CRISIS_988),
    ("i dont want to live anymore", CRISIS_988),
    ("I've been thinking about suicide", CRISIS_988),
    ("she said she wants to end her life", CRISIS_988),
    ("I keep wanting to hurt myself", CRISIS_988),
    ("I took a whole bottle of pills", POISON_CONTROL),
    ("I think I overdosed", POISON_CONTROL),
    ("my toddler swallowed some bleach", POISON_CONTROL),
    ("my kid drank drain cleaner", POISON_CONTROL),
    ("my 2 year old swallowed some of my blood pressure pills", POISON_CONTROL),
    ("the baby swallowed a button battery", POISON_CONTROL),
    ("I swallowed all of my sleeping pills", POISON_CONTROL),
    ("I CANT BREATHE", CALL_911),
    ("I can’t breathe", CALL_911),  # typographic apostrophe
]

NOT_EMERGENCIES = [
    "a mild runny nose",
    "my ankle is a little sore",
    "no chest pain, just a cough since Monday",
    "I don't have chest pain",
    "denies trouble breathing",
    "I'm not suicidal, just tired all the time",
    "I feel a bit dizzy when I stand up fast",
    "I cut my finger, a little bleeding",
    "I get short of breath climbing stairs",
    "history of seizures, well controlled",
    "I had a stroke in 2019",
    "can I get a refill of my blood pressure pills",
    "I'd like to book an appointment for next Tuesday",
    "my throat is a bit scratchy",
    "I swallowed my pills with juice, is that ok",
    "my son swallowed a piece of gum",
    "I have a headache since yesterday",
]


@pytest.mark.parametrize("text, guidance", EMERGENCIES)
def test_emergencies_are_recognised_with_their_guidance(text, guidance):
    flag = detect(text)
    assert flag is not None, text
    assert flag.guidance == guidance


@pytest.mark.parametrize("text", NOT_EMERGENCIES)
def test_mild_negated_and_past_complaints_are_not_emergencies(text):
    assert detect(text) is None


def test_a_negation_does_not_reach_into_the_next_clause():
    flag = detect("I don't have chest pain but I can't breathe")
    assert flag is not None and flag.category == "breathing"


def test_the_flag_names_the_words_that_matched():
    assert detect("Help, my father collapsed in the kitchen").phrase == "collapsed"
