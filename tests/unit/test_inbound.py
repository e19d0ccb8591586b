"""Checks every channel applies to a message, and numbered choices for text-only channels."""

from channels import choices, inbound


def test_leading_slashes_are_removed_so_no_intent_payload_reaches_rasa():
    assert inbound.check("/request_data_deletion").text == "request_data_deletion"
    assert inbound.check("  //greet").text == "greet"
    assert inbound.check(' / /emergency{"x": 1}').text == 'emergency{"x": 1}'


def test_ordinary_text_is_kept_as_written():
    assert inbound.check("I need a refill of my prescription").text == "I need a refill of my prescription"
    assert inbound.check("dose 1/2 tablet?").text == "dose 1/2 tablet?"


def test_control_characters_are_removed():
    assert inbound.check("hel\x00lo\x1b there").text == "hello there"


def test_an_oversized_message_gets_a_clear_answer_and_is_not_cut():
    checked = inbound.check("a" * (inbound.MAX_CHARS + 1))
    assert checked.text is None and "too long" in checked.reply
    assert inbound.check("a" * inbound.MAX_CHARS).text == "a" * inbound.MAX_CHARS


def test_empty_or_missing_text_gets_a_clear_answer():
    for text in ("", "   ", "/", None, 42):
        checked = inbound.check(text)
        assert checked.text is None and checked.reply == inbound.EMPTY


BUTTONS = [
    {"title": "Talk to a person", "payload": "I want to talk to a person"},
    {"title": "What can you do?", "payload": "What can you do?"},
]


def test_buttons_become_numbered_choices_and_a_number_picks_one():
    assert choices.render("Pick one", BUTTONS) == "Pick one\n1. Talk to a person\n2. What can you do?"
    assert choices.chosen_payload("2", BUTTONS) == "What can you do?"
    assert choices.chosen_payload(" 1. ", BUTTONS) == "I want to talk to a person"


def test_a_number_out_of_range_or_other_text_picks_nothing():
    assert choices.chosen_payload("3", BUTTONS) is None
    assert choices.chosen_payload("0", BUTTONS) is None
    assert choices.chosen_payload("two", BUTTONS) is None
    assert choices.chosen_payload("1", []) is None


def test_a_payment_card_number_is_recognised_by_its_check_digit():
    from channels.guard import has_card_number

    assert has_card_number("my card is 4111 1111 1111 1111 exp 12/29")
    assert has_card_number("5555-5555-5555-4444")
    assert not has_card_number("my card is 4111 1111 1111 1112")  # fails the Luhn check
    assert not has_card_number("call me at 469-555-0123")
    assert not has_card_number("member id 12345678")
