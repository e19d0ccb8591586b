"""A sender's turns in one process (channels/sms/ordering.py), without servers."""

import asyncio

from channels.sms.ordering import SenderOrder


def test_a_senders_messages_take_turns_in_arrival_order_and_other_senders_do_not_wait():
    order, done = SenderOrder(), []

    async def handle(sender_id: str, name: str, seconds: float) -> None:
        async with order.turn(sender_id):
            await asyncio.sleep(seconds)
            done.append(name)

    async def main() -> None:
        await asyncio.gather(handle("a", "a1", 0.05), handle("a", "a2", 0), handle("b", "b1", 0.01))

    asyncio.run(main())
    assert done == ["b1", "a1", "a2"]


def test_a_message_answered_early_skips_its_turn_once():
    order = SenderOrder()
    order.note_answered_early("SM1")
    assert order.answered_early("SM1")
    assert not order.answered_early("SM1")


def test_a_message_is_answering_only_while_it_is_answered():
    order = SenderOrder()
    with order.answering("SM1"):
        assert order.is_answering("SM1")
    assert not order.is_answering("SM1")
