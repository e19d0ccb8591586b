"""Masking in what staff read: phone numbers of any country, dates with a year, six-digit codes and
e-mail addresses, but not the clinic's own contact details; the ticket page's summary too."""

import re
import secrets

import pytest

from channels.console.masking import mask


@pytest.mark.parametrize(
    "text, masked",
    [
        ("my uk number is +44 20 7946 0958", "my uk number is •••• 0958"),
        ("llamame al +52 55 1234 5678", "llamame al •••• 5678"),
        ("born 03/14/1988", "born [a date]"),
        ("dob 1988-03-14", "dob [a date]"),
        ("my birthday is March 14, 1988", "my birthday is [a date]"),
        ("naci el 14 de marzo de 1988", "naci el [a date]"),
        ("the code is 482913", "the code is ••••••"),
        ("can I come 12/08 at 1:30?", "can I come 12/08 at 1:30?"),  # no year: an appointment, not a birth date
    ],
)
def test_numbers_of_any_country_dates_of_birth_and_codes_are_masked(text, masked):
    assert mask(text) == masked


def test_contact_details_are_masked_but_the_clinics_own_are_not():
    text = "Reach me at (214) 555-0147 or zeb@example.org. Ours: 469-421-2618, support@healthtigo.com"
    assert mask(text) == "Reach me at •••• 0147 or •••@example.org. Ours: 469-421-2618, support@healthtigo.com"


def test_the_ticket_page_masks_the_summary_of_the_last_message(stack, agent, vault):
    sender = f"rest-{secrets.token_hex(8)}"
    stack.say(sender, "hello")
    summary = "Asked for a person. Last message: call me on +44 20 7946 0958, born 03/14/1988, code 482913"
    ticket = vault.tickets.open(
        "handoff",
        vault.conversations.subject_of(sender),
        summary,
        channel="widget",
        conversation_id=vault.conversations.id_for(sender),
    )
    agent.post(f"/tickets/{ticket.id}/claim")
    agent.get(f"/tickets/{ticket.id}", reason="answering the patient")
    assert "•••• 0958" in agent.page
    assert not {"7946", "1988", "482913"} & set(re.findall(r"\d+", agent.page))
