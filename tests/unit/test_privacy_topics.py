"""A privacy question gets the part of the policy it asks about."""

import pytest

from bot.actions.privacy_topics import OVERVIEW, responses_for


@pytest.mark.parametrize(
    "question, expected",
    [
        ("what data do you collect about me?", ["utter_privacy_collection"]),
        ("do you share my data?", ["utter_privacy_sharing"]),
        ("do you sell my information", ["utter_privacy_sharing"]),
        ("how long do you keep my info?", ["utter_privacy_retention"]),
        ("is my data safe with you?", ["utter_privacy_protection"]),
        ("what are my privacy rights?", ["utter_privacy_rights"]),
        ("will you send me promotions?", ["utter_privacy_marketing"]),
        ("is my data used for research?", ["utter_privacy_research"]),
        ("how do you use my data?", ["utter_privacy_use"]),
        ("what do you collect and who do you share it with?", ["utter_privacy_collection", "utter_privacy_sharing"]),
        ("tell me about your privacy policy", [OVERVIEW]),
    ],
)
def test_each_question_gets_its_topic(question, expected):
    assert responses_for(question) == expected
