"""Booking, rescheduling and cancelling end to end, with the vault checked after each: the
confirmation and its SMS, alternatives to a past date, a closed day and a taken slot, a change of
mind before booking."""

from datetime import datetime, timedelta

from bot.scheduling.when import CLINIC_TZ
from harness.registration import new_patient, open_day, spoken, verify


def test_booking_with_confirmation_and_an_sms_without_health_details(chat, vault):
    name, born, phone, subject = new_patient(vault)
    chat("could you please create meeting with Dr. Patel next week")
    assert "What kind of visit" in verify(chat, vault, name, born, subject)
    assert "times I can offer" in chat("video")  # Dr. Patel and next week were in the request
    assert chat.buttons() and all("Dr. Maya Patel" in b["title"] for b in chat.buttons())
    day = open_day(vault)
    reply = chat(f"{spoken(day)} at 2pm")
    assert f"{day:%A, %B} {day.day} at 2:00 pm with Dr. Maya Patel" in reply and "Shall I book" in reply
    reply = chat("yes")
    assert "You're booked" in reply and "text" in reply
    booked = vault.appointments.upcoming(subject)
    assert [(a.provider_id, a.starts_at.astimezone(CLINIC_TZ).hour, a.visit_type) for a in booked] == [
        ("patel", 14, "video")
    ]
    sms = vault.outbox.messages(subject)[0]
    assert sms.purpose == "confirmation" and sms.recipient == phone
    assert "Dr. Maya Patel" in sms.body and "2:00 pm" in sms.body
    assert not any(word in sms.body.lower() for word in ("symptom", "intake", "diagnos", "reason", "cough"))
    assert "health questions" in reply  # the intake is offered
    assert "anything else" in chat("not now")


def test_a_past_date_a_closed_day_and_a_taken_slot_get_alternatives(chat, vault):
    name, born, _, subject = new_patient(vault)
    other = new_patient(vault)[3]
    day = open_day(vault, days_ahead=6)
    taken = datetime.combine(day, datetime.min.time(), CLINIC_TZ).replace(hour=9)
    vault.appointments.book(other, "ramirez", taken, "in_person", actor="staff:test")
    chat("I need to see a doctor")
    verify(chat, vault, name, born, subject)
    chat("in person")
    chat("Dr. Sofia Ramirez")
    reply = chat("yesterday at 10")
    assert "already passed" in reply and chat.buttons()
    saturday = open_day(vault) + timedelta(days=(5 - open_day(vault).weekday()) % 7)
    assert "closed" in chat(f"{spoken(saturday)}")
    reply = chat(f"{spoken(day)} at 9am")
    assert "not available" in reply
    labels = [b["title"] for b in chat.buttons()]
    assert labels and not any(", 9:00 am, Dr. Sofia Ramirez" in label and f" {day.day}," in label for label in labels)
    assert "Shall I book" in chat("2")
    assert "You're booked" in chat("yes")
    assert len(vault.appointments.upcoming(subject)) == 1


def test_changing_ones_mind_before_booking_books_nothing(chat, vault):
    name, born, _, subject = new_patient(vault)
    chat("book an appointment")
    verify(chat, vault, name, born, subject)
    chat("phone")
    chat("anyone")
    assert "Shall I book" in chat(f"{spoken(open_day(vault, 8))} at 3pm")
    assert "haven't booked anything" in chat("no")
    assert "stopped" in chat("stop")
    assert vault.appointments.upcoming(subject) == []


def test_reschedule_cancel_and_list(chat, vault):
    name, born, _, subject = new_patient(vault)
    first = open_day(vault, 9)
    start = datetime.combine(first, datetime.min.time(), CLINIC_TZ).replace(hour=11)
    appointment = vault.appointments.book(subject, "kim", start, "video", actor="staff:test")
    chat("when is my appointment?")
    reply = verify(chat, vault, name, born, subject)
    assert f"{first:%A, %B} {first.day} at 11:00 am with Grace Kim, NP" in reply
    chat("can I change my appointment time?")
    later = open_day(vault, 11)
    assert "move your appointment" in chat(f"{spoken(later)} at 4pm")
    assert "now" in chat("yes")
    moved = vault.appointments.upcoming(subject)
    assert [
        (a.id, a.starts_at.astimezone(CLINIC_TZ).date(), a.starts_at.astimezone(CLINIC_TZ).hour) for a in moved
    ] == [(appointment.id, later, 16)]
    assert "Shall I cancel" in chat("cancel my visit")
    assert "cancelled" in chat("yes")
    assert vault.appointments.upcoming(subject) == []
