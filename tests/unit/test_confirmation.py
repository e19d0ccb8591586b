"""Every yes-or-no question of the forms reads the answer the same way (bot/actions/common.py)."""

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import confirmation
from harness.actions import run, said, set_by, slot, tracker


@pytest.mark.parametrize(
    "answer, intent, expected",
    [
        ("yes please", "affirm", "yes"),
        ("yep", "inform", "yes"),  # the words decide when the model does not
        ("no", "deny", "no"),
        ("nope, not now", "inform", "no"),
    ],
)
def test_a_yes_or_a_no_fills_the_slot(answer, intent, expected):
    dispatcher = CollectingDispatcher()
    assert confirmation(dispatcher, tracker([said(answer, intent)]), "cancel_confirm") == {"cancel_confirm": expected}
    assert dispatcher.messages == []


def test_anything_else_leaves_it_empty_and_asks_for_a_yes_or_a_no():
    dispatcher = CollectingDispatcher()
    assert confirmation(dispatcher, tracker([said("maybe blue")]), "cancel_confirm") == {"cancel_confirm": None}
    assert [m["response"] for m in dispatcher.messages] == ["utter_yes_or_no"]


def test_a_slot_its_form_cleared_is_no_answer_and_is_not_validated():
    from bot.actions.deletion import ValidateDeletionForm

    events = [said("delete everything you have on me", "request_data_deletion"), slot("deletion_confirm", None)]
    form_events, messages = run(ValidateDeletionForm(), events, active_loop="deletion_form")
    assert messages == []  # not asked "yes or no?" about an answer nobody gave
    assert form_events == []


@pytest.mark.parametrize(
    "form, question",
    [("deletion_form", "deletion_confirm"), ("marketing_form", "marketing_confirm"), ("cancel_form", "cancel_confirm")],
)
@pytest.mark.parametrize("answer, expected, asked", [("nope", "no", []), ("maybe blue", None, ["utter_yes_or_no"])])
def test_each_form_fills_its_yes_or_no_slot_from_the_answer(form, question, answer, expected, asked):
    from bot.actions.appointments import ValidateCancelForm
    from bot.actions.deletion import ValidateDeletionForm
    from bot.actions.marketing import ValidateMarketingForm

    validation = {
        "deletion_form": ValidateDeletionForm,
        "marketing_form": ValidateMarketingForm,
        "cancel_form": ValidateCancelForm,
    }[form]
    form_events, messages = run(validation(), [said(answer), slot(question, answer)], active_loop=form)
    assert set_by(form_events) == {question: expected}
    assert [m["response"] for m in messages] == asked
