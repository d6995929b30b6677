"""Every channel that records the customer's message flags an answered or closed card in the same
transaction (issue 13, item 2): an e-mail reply, a messenger message, the tracking page."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import translation

from amends.complaints.choices import Channel, EventKind, Justification, Loyalty, State
from amends.complaints.models import Cause, Complaint
from amends.complaints.services import complaint_register, complaint_transition
from amends.intake.channels.email.services import MAILGATE_SOURCE, email_receive
from amends.intake.models import InboundStatus

from .test_email_services import fixture
from .test_webhooks_support import deliver, make_source


@pytest.fixture(autouse=True)
def fixed_now():
    """The stored samples' dates are recent then."""
    with translation.override("en"), time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=UTC), tick=False):
        yield


def answered(card: Complaint, qms, responsible, *, close: bool = False) -> Complaint:
    card = complaint_transition(complaint=card, name="assign", actor=qms, data={"responsible": responsible})
    card = complaint_transition(complaint=card, name="investigate", actor=responsible)
    card = complaint_transition(complaint=card, name="decide", actor=responsible, data={
        "justification": Justification.UNJUSTIFIED, "opinion": "Доставлено в срок.",
        "cause": Cause.objects.order_by("pk").first(),
    })
    card = complaint_transition(complaint=card, name="answer", actor=responsible,
                                data={"answer_text": "Претензия не подтвердилась."})
    if close:
        card = complaint_transition(complaint=card, name="close", actor=responsible,
                                    data={"satisfaction": 5, "loyalty": Loyalty.STAYS})
    return card


def flagged_by_last_message(card: Complaint) -> bool:
    card = Complaint.objects.get(pk=card.pk)
    last = card.events.filter(kind=EventKind.MESSAGE_IN).last()
    return last is not None and card.message_after_answer == last


@pytest.mark.parametrize("close", [False, True])
def test_an_email_reply_flags_the_answered_or_closed_card(django_capture_on_commit_callbacks, qms, responsible, close):
    with django_capture_on_commit_callbacks(execute=True):
        card = email_receive(raw=fixture("cp1251_base64.eml"), source=MAILGATE_SOURCE).message.complaint
    card = answered(card, qms, responsible, close=close)
    reply = (
        f"From: o.smirnova@example.org\r\nSubject: Re: [#{card.number}] Ваша жалоба\r\n"
        "Message-ID: <after-answer@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Не согласна с ответом.\r\n"
    ).encode()
    message = email_receive(raw=reply, source=MAILGATE_SOURCE).message
    assert message.status == InboundStatus.THREADED and message.complaint == card
    assert flagged_by_last_message(card)
    assert Complaint.objects.get(pk=card.pk).state == (State.CLOSED if close else State.ANSWERED)


def test_a_messenger_message_flags_the_answered_card_of_its_chat(client, qms, responsible):
    bot = make_source("telegram", "quality-bot")
    deliver(client, bot, "telegram_message")
    answered(Complaint.objects.get(), qms, responsible)
    assert deliver(client, bot, "telegram_message_followup").json()["status"] == "threaded"
    assert flagged_by_last_message(Complaint.objects.get())


def test_a_messenger_message_flags_the_card_of_its_chat_closed_lately(client, qms, responsible):
    bot = make_source("telegram", "quality-bot")
    deliver(client, bot, "telegram_message")
    answered(Complaint.objects.get(), qms, responsible, close=True)
    assert deliver(client, bot, "telegram_message_followup").json()["status"] == "threaded"
    assert flagged_by_last_message(Complaint.objects.get())


def test_a_messenger_message_long_after_its_chat_card_closed_is_a_new_complaint(client, qms, responsible, settings):
    settings.AMENDS_CHAT_FOLLOWS_CLOSED_DAYS = 30
    bot = make_source("telegram", "quality-bot")
    deliver(client, bot, "telegram_message")
    answered(Complaint.objects.get(), qms, responsible, close=True)
    with time_machine.travel(datetime(2027, 1, 10, 9, 0, tzinfo=UTC), tick=False):
        assert deliver(client, bot, "telegram_message_followup").json()["status"] != "threaded"
    assert Complaint.objects.count() == 2
    assert Complaint.objects.order_by("pk").first().message_after_answer_at is None


def test_a_message_from_the_tracking_page_flags_the_closed_card(client, contact, qms, responsible):
    card = complaint_register(actor=None, channel=Channel.WEB_FORM, contact=contact, wording="Чайник протекает")
    card = answered(card, qms, responsible, close=True)
    response = client.post(f"/track/{card.number}/?code={card.tracking_code}", {"text": "Опять течёт"})
    assert response.status_code == 302
    assert flagged_by_last_message(card)


def test_a_message_before_the_answer_flags_nothing_on_any_channel(client, contact):
    card = complaint_register(actor=None, channel=Channel.WEB_FORM, contact=contact, wording="Чайник протекает")
    client.post(f"/track/{card.number}/?code={card.tracking_code}", {"text": "Когда ответите?"})
    card = Complaint.objects.get(pk=card.pk)
    assert card.events.filter(kind=EventKind.MESSAGE_IN).exists() and card.message_after_answer_at is None
