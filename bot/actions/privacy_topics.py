"""Which parts of the data policy a privacy question asks about.

One row per topic: the response that answers it and the words that point to it.
A question can touch several topics ("what do you collect and who sees it?").
A question that names no topic but asks how data is used gets the general
answer on use; one that names nothing at all gets the overview.
"""

from __future__ import annotations

import re

TOPICS: tuple[tuple[str, str], ...] = (
    # response, words (regular expression over lower-case text)
    (
        "utter_privacy_collection",
        r"collect|gather|what (?:data|info|information|details)|kind of (?:data|info)|types? of (?:data|info)"
        r"|record(?:ing)? about me|ip address|track",
    ),
    (
        "utter_privacy_sharing",
        r"shar|sell|sold|third part|give (?:my|it|them)|pass (?:my|it)|disclos"
        r"|who (?:can )?(?:see|sees|access|gets|has access)|insurer|employer|police|government|partners?",
    ),
    ("utter_privacy_protection", r"protect|secur|safe|encrypt|hack|breach|leak|stolen|confidential"),
    (
        "utter_privacy_retention",
        r"how long|keep|kept|retain|retention|store(?:d)? (?:for|forever)|delete (?:it )?after|forever"
        r"|after i leave|destroy",
    ),
    (
        "utter_privacy_rights",
        r"right|access my|see my|correct|delet|erase|objec|portab|copy of|gdpr|hipaa|ccpa|control",
    ),
    ("utter_privacy_marketing", r"market|promot|advertis(?:ing|ement)|newsletter|offers?\b|spam"),
    (
        "utter_privacy_research",
        r"research|anonym|stud(?:y|ies)|analy[sz]|statistic|train(?:ing)? (?:the |your )?(?:ai|model)",
    ),
)
USE = ("utter_privacy_use", r"\buse\b|\bused\b|\busing\b|\busage\b|what for|why do you need|purpose|do with")
OVERVIEW = "utter_privacy_overview"

_COMPILED = tuple((response, re.compile(words)) for response, words in TOPICS)
_USE_WORDS = re.compile(USE[1])


def responses_for(question: str) -> list[str]:
    """The responses that answer `question`, in table order."""
    text = question.lower()
    found = [response for response, words in _COMPILED if words.search(text)]
    if found:
        return found
    return [USE[0]] if _USE_WORDS.search(text) else [OVERVIEW]
