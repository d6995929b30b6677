"""A card an operator registers is acknowledged as a channel's is, and every acknowledgement is on
the card's timeline (issue 13, item 6)."""

import pytest
from django.core import mail
from django.urls import reverse

from amends.complaints.choices import Channel, EventKind
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_register
from amends.customers.services import contact_create
from amends.intake.models import OutboundMessage
from amends.intake.parsed import IncomingComplaint
from amends.intake.services import inbound_process, inbound_store


def _form(**extra) -> dict:
    return {"channel": Channel.FAX, "received_at": "2026-11-02T10:00", "full_name": "Сидоров Семён",
            "fax": "+7 495 123-45-67", "wording": "Факсом: счёт выставлен дважды.", "importance": "medium",
            **extra}


def test_the_operator_s_card_with_an_e_mail_is_acknowledged_and_the_timeline_says_so(client, operator):
    client.force_login(operator)
    response = client.post(reverse("complaints:register"), _form(email="Sidorov@Example.ru"))
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert len(mail.outbox) == 1
    ack = mail.outbox[0]
    assert ack.to == ["sidorov@example.ru"] and f"[#{complaint.number}]" in ack.subject
    assert f"/track/{complaint.number}/?code={complaint.tracking_code}" in ack.body
    assert OutboundMessage.objects.get().purpose == "acknowledgement"
    event = complaint.events.get(kind=EventKind.ACKNOWLEDGEMENT)
    assert event.text == "sidorov@example.ru" and event.actor is None
    page = client.get(reverse("complaints:detail", args=[complaint.number]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Acknowledgement sent to the customer" in page.content.decode()


def test_without_an_e_mail_nothing_is_sent(client, operator):
    client.force_login(operator)
    assert client.post(reverse("complaints:register"), _form()).status_code == 302
    assert mail.outbox == [] and not OutboundMessage.objects.exists()
    assert not Complaint.objects.get().events.filter(kind=EventKind.ACKNOWLEDGEMENT).exists()


@pytest.mark.parametrize("acknowledge", [False, True])
def test_only_a_registration_that_asks_for_it_is_acknowledged(operator, acknowledge):
    """The channels acknowledge their own cards (in their language, in batches); a service caller
    that does not ask sends nothing."""
    customer = contact_create(full_name="Анна", email="anna@example.ru")
    complaint_register(actor=operator, channel=Channel.PHONE, contact=customer, wording="Шумит.",
                       acknowledge=acknowledge)
    assert len(mail.outbox) == int(acknowledge)


def test_an_internal_complaint_is_never_acknowledged_as_a_customer_s(operator):
    employee = contact_create(full_name="Кладовщик", email="store@example.ru")
    complaint_register(actor=operator, channel=Channel.INTERNAL, contact=employee, wording="Не перезвонили.",
                       acknowledge=True)
    assert mail.outbox == []


def test_a_channel_s_acknowledgement_is_on_the_timeline_too(db, django_capture_on_commit_callbacks):
    incoming = IncomingComplaint(channel=Channel.EMAIL, text="Сломался чайник", name="Анна Петрова",
                                 email="anna@example.ru", subject="Жалоба")
    message = inbound_store(channel=Channel.EMAIL, source="test:box", raw=b"raw")[0]
    with django_capture_on_commit_callbacks(execute=True):
        complaint = inbound_process(message, lambda stored: incoming).complaint
    assert len(mail.outbox) == 1
    assert list(complaint.events.filter(kind=EventKind.ACKNOWLEDGEMENT).values_list("text", flat=True)) == [
        "anna@example.ru",
    ]
