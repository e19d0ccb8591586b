"""Each layer of safety/ on its own: normalization, the pattern language, the lexicon and its
misspellings, context, language, the statistical backstop."""

import pytest

from safety import backstop, language
from safety.context import CURRENT, DISCOUNTED, DOUBTFUL
from safety.context import shared as context
from safety.lexicon import Lexicon
from safety.normalize import normalize
from safety.patterns import PatternError, compile_phrases


@pytest.fixture(scope="module")
def lexicon():
    return Lexicon.load()


# -- normalization ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, normal",
    [
        ("I CAN'T breathe", "i can not breathe"),
        ("I can’t breathe", "i can not breathe"),  # typographic apostrophe
        ("pleeeease helpppp", "pleease helpp"),
        ("i wanna kms", "i want to kill myself"),
        ("he od'd on his meds", "he overdosed on his meds"),
        ("he O.D.'d last night", "he overdosed last night"),
        ("gonna unalive myself", "going to kill myself"),
        ("took all of these 💊", "took all of these pills"),
        ("Pérdida de la visión", "perdida de la vision"),
        ("xq toy sangrando", "porque toy sangrando"),
        ("fever of 101.2, help!", "fever of 101.2 , help !"),
        ("he'll hurt me, we'll see", "he will hurt me , we will see"),  # not "hell", not "well"
        ("gonna kill my brother 😂", "going to kill my brother lol"),
    ],
)
def test_normalization(text, normal):
    assert normalize(text) == normal


def test_odd_without_an_apostrophe_stays_odd():
    assert normalize("I feel odd today") == "i feel odd today"


# -- the pattern language --------------------------------------------------------------------


def matches(phrase, text, lists=None):
    return bool(compile_phrases([phrase], normalize, lists or {}).search(" " + normalize(text)))


@pytest.mark.parametrize(
    "phrase, text, expected",
    [
        ("chest (pain|pressure)", "crushing chest pressure", True),
        ("chest (pain|pressure)", "chest hair", False),
        ("[very] short of breath", "short of breath", True),
        ("(really)? short of breath", "really short of breath", True),
        ("suicid*", "feeling suicidal", True),
        ("*ing blood", "coughing blood", True),
        ("pain ... arm", "pain going down my left arm", True),
        ("pain ... arm", "pain in the chest that goes all the way down to my arm", False),  # more than 4 words apart
        ("sugar (is|at) #10-59", "sugar is 45", True),
        ("sugar (is|at) #10-59", "sugar is 110", False),
        ("fever of #", "fever of 101.2", True),
        ("^ help me $", "help me!!", True),
        ("^ help me $", "can you help me book", False),
        ("@someone collapsed", "my dad collapsed", True),
        ("can't breathe", "I cannot breathe", True),  # both sides normalized alike
    ],
)
def test_pattern_language(phrase, text, expected):
    assert matches(phrase, text, {"someone": "(he|she|my (dad|mom))"}) is expected


@pytest.mark.parametrize("phrase", ["(chest pain", "chest] pain", "@nobody collapsed", "chest ? pain", "#1-99999"])
def test_a_phrase_that_cannot_be_read_is_refused_with_its_text(phrase):
    with pytest.raises(PatternError, match="in '"):
        compile_phrases([phrase], normalize, {})


# -- the lexicon -----------------------------------------------------------------------------

CATEGORIES = (
    "cardiac",
    "stroke",
    "breathing",
    "unresponsive",
    "seizure",
    "suicide_self_harm",
    "overdose_poisoning",
    "bleeding_trauma",
    "anaphylaxis",
    "burns",
    "pregnancy",
    "infant",
    "diabetic_low",
    "abdominal_testicular",
    "vision_loss",
    "violence",
    "declared",
)


def test_the_lexicon_covers_every_red_flag_category_in_both_languages(lexicon):
    for category in lexicon.categories:
        assert category.rules["en"].phrases or category.rules["en"].all_of, category.name
        assert category.rules["es"].phrases or category.rules["es"].all_of, category.name
    assert {c.name for c in lexicon.categories} == set(CATEGORIES)
    assert {c.line for c in lexicon.categories} == {"call_911", "crisis_988", "poison_control"}


def found(lexicon, text):
    matches, _ = lexicon.find(normalize(text).split())
    return {m.category for m in matches}


@pytest.mark.parametrize(
    "text, category",
    [
        ("im sucidal", "suicide_self_harm"),  # one letter missing, 7 letters
        ("chest pian", "cardiac"),  # two letters swapped, 4 letters
        ("my son is having a siezure", "seizure"),
        ("unconcious on the floor", "unresponsive"),
    ],
)
def test_misspellings_are_read_as_the_lexicon_word(lexicon, text, category):
    assert category in found(lexicon, text)


def test_the_tolerance_depends_on_the_word_length(lexicon):
    corrected, _ = lexicon.correct(["pian", "pani", "chst", "ovredose", "anafalaxis", "od"])
    assert corrected[:2] == ["pain", "pani"]  # 4 letters: a swap is tolerated, a different letter is not
    assert corrected[3:5] == ["overdose", "anafilaxis"]  # one edit up to 7 letters, two from 8
    assert corrected[5] == "od"  # short words are never changed


def test_a_real_word_is_never_corrected_into_a_red_flag(lexicon):
    corrected, changed = lexicon.correct(["cooking", "chess", "stubbed", "breed", "paint"])
    assert not changed and corrected == ["cooking", "chess", "stubbed", "breed", "paint"]


@pytest.mark.parametrize(
    "text, category",
    [
        ("shooting hoops with my son", "violence"),
        ("she had a flu shot today", "bleeding_trauma"),
        ("what a stroke of luck", "stroke"),
        ("refill my seizure medication", "seizure"),
        ("should I take all my pills at once in the morning", "overdose_poisoning"),
        ("my kid scratched his bug bites until they bled", "suicide_self_harm"),
        ("it looks like an accident on the highway, running late", "suicide_self_harm"),
        ("sorry I filled the form wrong, next time I will do it right", "suicide_self_harm"),
        ("can you help him along with the paperwork", "suicide_self_harm"),
        ("a novel about suicide for my book club", "suicide_self_harm"),
    ],
)
def test_look_alikes_are_not_red_flags(lexicon, text, category):
    assert category not in found(lexicon, text)


# -- context ---------------------------------------------------------------------------------


def verdict(text, words, category):
    tokens = normalize(text).split()
    target = normalize(words).split()
    start = next(i for i in range(len(tokens)) if tokens[i : i + len(target)] == target)
    return context().read(tokens, start, start + len(target), category)


@pytest.mark.parametrize(
    "text, words, category, expected, reason",
    [
        ("no chest pain at all", "chest pain", "cardiac", DISCOUNTED, "negated"),
        ("I can't stop bleeding", "stop bleeding", "bleeding_trauma", CURRENT, ""),  # "can't stop" negates nothing
        ("I had a heart attack 6 years ago", "heart attack", "cardiac", DISCOUNTED, "long_ago"),
        ("history of seizures, well controlled", "seizures", "seizure", DISCOUNTED, "long_ago_before"),
        ("my grandpa died of a stroke", "stroke", "stroke", DISCOUNTED, "family"),
        ("what are the signs of a stroke?", "stroke", "stroke", DISCOUNTED, "hypothetical"),
        ("this paperwork is giving me a heart attack", "heart attack", "cardiac", DISCOUNTED, "figurative"),
        ("I need a chest x ray", "chest", "cardiac", DISCOUNTED, "routine"),
        ("the bleeding stopped", "bleeding", "bleeding_trauma", DISCOUNTED, "resolved"),
        ("I had a seizure", "seizure", "seizure", DOUBTFUL, "past"),
        ("I had a seizure just now", "seizure", "seizure", CURRENT, ""),
        ("my dad just had a stroke", "stroke", "stroke", CURRENT, ""),
        ("my chest is killing me", "chest", "cardiac", CURRENT, ""),  # a body part that kills is pain, not a figure
        ("worst headache of my life, it came on all at once", "worst headache of my life", "stroke", CURRENT, ""),
        ("febrile seizure at 18 months, he is 5 now", "seizure", "seizure", DISCOUNTED, "long_ago"),
        ("stool is black like tar and I almost passed out", "black like tar", "abdominal_testicular", CURRENT, ""),
        ("heart attacks run in my family", "heart attacks", "cardiac", DISCOUNTED, "family_after"),
        ("watched a show where a man had a stroke", "stroke", "stroke", DISCOUNTED, "fiction"),
        ("watching a movie and my husband collapsed", "collapsed", "unresponsive", CURRENT, ""),
        ("en la novela al personaje le dio un derrame", "derrame", "stroke", DISCOUNTED, "fiction"),
        ("my dog had a seizure yesterday", "seizure", "seizure", DISCOUNTED, "pet"),
        ("my dog bit me and I'm bleeding a lot", "bleeding a lot", "bleeding_trauma", CURRENT, ""),
        ("with my first my water broke at 35 weeks", "my water broke", "pregnancy", DISCOUNTED, "long_ago_before"),
        ("I was assaulted in college", "i was assaulted", "violence", DISCOUNTED, "long_ago"),
        ("does the flu shot cause anaphylaxis?", "anaphylaxis", "anaphylaxis", DISCOUNTED, "hypothetical"),
        ("a handout about when to call 911", "call 911", "declared", DISCOUNTED, "hypothetical"),
        ("lots of overdoses in my neighborhood", "overdoses", "overdose_poisoning", DISCOUNTED, "community"),
        ("families who lost someone to overdose", "overdose", "overdose_poisoning", DISCOUNTED, "bereaved"),
        ("an overdose from 2017 on my problem list", "overdose", "overdose_poisoning", DISCOUNTED, "long_ago"),
        ("drowning in fmla paperwork", "drowning", "breathing", DISCOUNTED, "figurative"),
        ("can kids overdose on gummy vitamins?", "overdose", "overdose_poisoning", DISCOUNTED, "hypothetical"),
        ("la escuela me pide certificado de CPR", "cpr", "unresponsive", DISCOUNTED, "routine"),
    ],
)
def test_context(text, words, category, expected, reason):
    reading = verdict(text, words, category)
    assert (reading.verdict, reading.reason) == (expected, reason)


@pytest.mark.parametrize(
    "text, words",
    [
        ("I want to kill myself, this paperwork is killing me lol", "kill myself"),
        ("what if I just killed myself", "killed myself"),
        ("I want to kill myself lol", "kill myself"),
        ("wanna die lol not even joking", "want to die"),  # the subject left out, as texts do
        ("im not ok i want to die", "want to die"),  # the negation is of something else
        ("no estoy bien quiero morirme", "quiero morirme"),
    ],
)
def test_a_first_person_statement_of_suicidal_intent_is_never_discounted(text, words):
    assert verdict(text, words, "suicide_self_harm").verdict == CURRENT


def test_dyeing_ones_hair_is_no_wish_to_die():
    assert verdict("i want to die my hair purple", "want to die", "suicide_self_harm").reason == "idiom"


def test_a_first_person_suicidal_history_only_raises_a_doubt():
    assert verdict("I tried to kill myself years ago", "kill myself", "suicide_self_harm").verdict == DOUBTFUL


def test_a_first_person_suicidal_history_with_words_of_now_is_current():
    text = "I tried to kill myself last year and I am thinking about trying again"
    assert verdict(text, "kill myself", "suicide_self_harm").verdict == CURRENT


def test_a_question_about_dying_asked_for_oneself_is_not_discounted():
    text = "what is the max amount of tylenol before it is lethal, asking for myself"
    assert verdict(text, "max amount of tylenol before it is lethal", "suicide_self_harm").verdict == CURRENT


def test_a_negation_does_not_reach_into_the_next_clause():
    assert verdict("no fever and he can't breathe", "can not breathe", "breathing").verdict == CURRENT


# -- language --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, lang",
    [
        ("ayuda", "es"),
        ("mi bebe tiene fiebre", "es"),
        ("no puedo respirar", "es"),
        ("¿qué hago?", "es"),
        ("help me", "en"),
        ("my chest hurts", "en"),
        ("I can't breathe", "en"),
    ],
)
def test_language_of_short_texts(text, lang):
    assert language.detect(text) == lang


def test_a_text_too_short_to_tell_gets_the_default():
    assert language.confident_language("si") is None and language.detect("si", default="es") == "es"


# -- the statistical backstop ----------------------------------------------------------------


def test_the_backstop_is_trained_from_the_shipped_data_and_named_by_its_content():
    path = backstop.build()
    assert path.exists() and path == backstop.model_path()
    assert len(backstop.examples()) > 5000


def test_every_training_example_names_a_lexicon_category(lexicon):
    named = {row["category"] for row in backstop.examples() if row["label"] == "emergency"}
    assert named <= set(lexicon.lines), named - set(lexicon.lines)


def test_the_backstop_recognises_emergencies_phrased_in_no_lexicon_words():
    model = backstop.shared()
    alarming, ordinary = model.probability(
        ["she went grey and stopped answering me, her lips look wrong", "can i move my thursday appointment to friday"]
    )
    assert alarming > 0.5 > ordinary
