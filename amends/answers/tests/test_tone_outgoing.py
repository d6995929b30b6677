"""Every text to a customer is tone-checked, not only letters: the card's "Write to the customer"
(intake) asks for a reason to send a message with findings, and keeps it on the timeline."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from amends.complaints.choices import EventKind
from amends.complaints.event_texts import SENT_DESPITE_CHECK
from amends.intake.services import message_to_customer

ROUGH = "Успокойтесь. Вы должны прислать чек, перезвоните нам позже."


def test_a_message_with_findings_needs_a_reason(complaint, qms):
    with pytest.raises(ValidationError) as refused:
        message_to_customer(complaint=complaint, actor=qms, text=ROUGH)
    found = refused.value.message_dict["reason"]
    assert any("Успокойтесь" in message for message in found) and any("Вы должны" in message for message in found)
    assert any("Tone checklist, not met" in message or "перезвон" in message.lower() for message in found[1:])
    assert not complaint.events.filter(kind=EventKind.MESSAGE_OUT).exists()


def test_with_a_reason_it_goes_and_the_reason_is_on_the_timeline(complaint, qms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message_to_customer(complaint=complaint, actor=qms, text=ROUGH, reason="Клиент сам просил так написать")
    assert complaint.events.filter(kind=EventKind.MESSAGE_OUT, text=ROUGH).exists()
    note = complaint.events.get(kind=EventKind.NOTE, code=SENT_DESPITE_CHECK)
    assert note.actor == qms and note.params["reason"] == "Клиент сам просил так написать"
    assert "Успокойтесь" in note.text_display and "Клиент сам просил так написать" in note.text_display
    assert mail.outbox[-1].to == ["ivanov@example.ru"]


def test_the_tracking_page_shows_the_message_but_not_the_reason(client, complaint, qms):
    message_to_customer(complaint=complaint, actor=qms, text=ROUGH, reason="Внутренняя причина")
    page = client.get(f"/track/{complaint.number}/?code={complaint.tracking_code}").content.decode()
    assert "Вы должны прислать чек" in page and "Внутренняя причина" not in page


def test_a_clean_message_goes_without_a_reason_or_note(complaint, qms):
    message_to_customer(complaint=complaint, actor=qms, text="Курьер привезёт заказ сегодня до 18:00.")
    assert complaint.events.filter(kind=EventKind.MESSAGE_OUT).exists()
    assert not complaint.events.filter(code=SENT_DESPITE_CHECK).exists()


def test_the_card_form_checks_live_and_on_send(client, complaint, qms):
    client.force_login(qms)
    card = client.get(reverse("complaints:detail", args=[complaint.number])).content.decode()
    assert f'hx-post="{reverse("answers:tone_check")}"' in card and '"field": "customer-text"' in card
    url = reverse("intake:message_customer", args=[complaint.number])
    refused = client.post(url, {"customer-text": "It's our policy."})
    assert refused.status_code == 400 and "It&#x27;s our policy" in refused.content.decode()
    assert not complaint.events.filter(kind=EventKind.MESSAGE_OUT).exists()
    sent = client.post(url, {"customer-text": "It's our policy.", "customer-reason": "Quoted from the contract"})
    assert sent.status_code == 302
    assert complaint.events.filter(code=SENT_DESPITE_CHECK, params__reason="Quoted from the contract").exists()
