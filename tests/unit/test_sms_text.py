"""Replies split into single SMS segments between words."""

import pytest

from channels.sms.text import GSM7_EXTENDED, is_gsm7, segments


@pytest.mark.parametrize(
    "text, limit",
    [
        (
            "Your appointment with Dr. Maya Patel is on Tuesday, December 1 at 9:00 AM at 6136 Frisco Square "
            "Blvd, Frisco, TX 75034. Reply 1 to confirm, 2 to reschedule, 3 to talk to a person. " * 3,
            160,
        ),
        ("Prices {in person} [$150] cost ~ €140 | video € 95 ^ phone " * 8, 160),
        ("Gracias por escribirnos 😊 su cita está confirmada para el martes " * 5, 70),
        ("Привет, ваша запись подтверждена на вторник в девять часов утра " * 4, 70),
    ],
)
def test_a_long_reply_is_split_into_single_segments_between_words(text, limit):
    parts = segments(text)
    assert len(parts) > 1
    gsm7 = is_gsm7(text)
    assert gsm7 == (limit == 160)
    for part in parts:
        units = sum(2 if c in GSM7_EXTENDED else 1 for c in part) if gsm7 else len(part.encode("utf-16-le")) // 2
        assert units <= limit
        assert part == part.strip()
    assert " ".join(parts).split() == text.split()  # no word cut, nothing lost
    assert all(len(p) > 0.6 * limit for p in parts[:-1])  # parts are filled, not one word each


def test_a_word_longer_than_a_segment_is_the_only_thing_cut():
    link = "https://healthtigo.com/d/" + "x" * 200
    parts = segments(f"Your copy: {link} expires in 7 days.")
    assert "".join(parts).replace(" ", "") == f"Your copy:{link}expires in 7 days.".replace(" ", "")
    assert all(len(p) <= 160 for p in parts)
