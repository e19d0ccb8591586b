"""The verified patient's sealed slot value (bot/identity_seal.py), without servers."""

import settings
from bot.identity_seal import opened, sealed

NOW = 1_800_000_000.0


def test_a_sealed_value_opens_in_its_conversation_until_it_expires():
    value = sealed("web_a", "s_1", now=NOW)
    assert opened("web_a", value, now=NOW) == "s_1"
    assert opened("web_a", value, now=NOW + settings.IDENTITY_LIFETIME - 1) == "s_1"
    assert opened("web_a", value, now=NOW + settings.IDENTITY_LIFETIME) is None


def test_a_bare_subject_id_or_another_conversations_value_opens_to_no_one():
    assert opened("web_a", "s_1", now=NOW) is None
    assert opened("web_b", sealed("web_a", "s_1", now=NOW), now=NOW) is None
    assert opened("web_a", None, now=NOW) is None


def test_a_changed_subject_or_expiry_breaks_the_seal():
    subject, expires, mac = sealed("web_a", "s_1", now=NOW).split(".")
    assert opened("web_a", f"s_2.{expires}.{mac}", now=NOW) is None
    assert opened("web_a", f"{subject}.{int(expires) + 3600}.{mac}", now=NOW) is None
