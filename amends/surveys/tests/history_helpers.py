"""What the history, response and card-panel tests build on: cards closed through the lifecycle's
services with a known closing record, and responses recorded through response_record."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from amends.accounts.models import User
from amends.complaints.choices import Channel, Justification, Loyalty
from amends.complaints.models import Cause, Complaint
from amends.complaints.services import complaint_register, complaint_transition
from amends.customers.models import Contact
from amends.customers.services import contact_create
from amends.surveys.choices import ResponseSource
from amends.surveys.models import Criterion, QuestionnaireVersion, Response
from amends.surveys.recording import response_record
from amends.surveys.scoring import Rating


def card_for(contact: Contact, operator: User, wording: str) -> Complaint:
    return complaint_register(actor=operator, channel=Channel.PHONE, contact=contact, wording=wording)


def card_answered(card: Complaint, qms: User, responsible: User) -> Complaint:
    card = complaint_transition(complaint=card, name="assign", actor=qms, data={"responsible": responsible})
    card = complaint_transition(complaint=card, name="investigate", actor=responsible)
    return card_decided_and_answered(card, responsible)


def card_decided_and_answered(card: Complaint, responsible: User) -> Complaint:
    card = complaint_transition(complaint=card, name="decide", actor=responsible, data={
        "justification": Justification.UNJUSTIFIED, "opinion": "Поставка была в срок.",
        "cause": Cause.objects.order_by("pk").first(),
    })
    return complaint_transition(complaint=card, name="answer", actor=responsible, data={"answer_text": "Ответ."})


def card_closed(card: Complaint, actor: User, *, satisfaction: int | None = None, loyalty: str = "") -> Complaint:
    """Close an answered card; without a satisfaction, as a customer who could not be reached."""
    data = ({"satisfaction": satisfaction, "loyalty": loyalty} if satisfaction is not None
            else {"customer_unreachable": True, "unreachable_note": "Не берёт трубку."})
    return complaint_transition(complaint=card, name="close", actor=actor, data=data)


def ratings(criteria: dict[str, Criterion], *pairs: tuple[int, int]) -> dict[int, Rating]:
    """(score, importance) per criterion, in the fixture's order: reliability, delivery, courtesy, handling."""
    return {criteria[key].pk: Rating(*pair) for key, pair in zip(criteria, pairs, strict=False)}


def respond(
    version: QuestionnaireVersion, criteria: dict[str, Criterion], *pairs: tuple[int, int], at: datetime,
    contact: Contact | None = None, source: str = "paper", **kwargs,
) -> Response:
    return response_record(
        version=version, ratings=ratings(criteria, *pairs), source=source, language="ru", contact=contact,
        received_at=at, **kwargs,
    )


@pytest.fixture
def other(db):
    return contact_create(full_name="Петров Пётр", email="petrov@example.ru", organisation_name="АО «Василёк»")


@pytest.fixture
def story(contact, other, operator, qms, responsible, version, criteria, invitation):
    """The customer: a card closed by the responsible person (7/10, stays but would not recommend), a
    card closed unreachable, an open card, a response through the link two days ago and a paper one
    typed in by the QMS head a month ago. Another customer's closed card and response must not count."""
    now = timezone.now()
    closed = card_closed(card_answered(card_for(contact, operator, "Сломался насос."), qms, responsible),
                         responsible, satisfaction=7, loyalty=Loyalty.STAYS)
    card_closed(card_answered(card_for(contact, operator, "Нет накладной."), qms, responsible), responsible)
    card_for(contact, operator, "Опоздал курьер.")
    invitation.complaint = closed
    invitation.save()
    by_link = response_record(
        version=version, invitation=invitation, source=ResponseSource.LINK, language="ru",
        ratings=ratings(criteria, (9, 10), (7, 8), (10, 3), (6, 9)), recommends=False, continues=True,
        suggestion="Звоните заранее", received_at=now - timedelta(days=2),
    )
    on_paper = respond(version, criteria, (8, 5), (8, 5), (8, 5), (8, 5), contact=contact, entered_by=qms,
                       at=now - timedelta(days=30), recommends=True, continues=True)
    card_closed(card_answered(card_for(other, operator, "Течёт кран."), qms, responsible), responsible,
                satisfaction=2, loyalty=Loyalty.LEAVES)
    respond(version, criteria, (1, 10), contact=other, at=now - timedelta(days=1), recommends=False)
    return {"closed": closed, "by_link": by_link, "on_paper": on_paper}
