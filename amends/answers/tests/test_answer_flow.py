"""Issue 14's "Done when", through the card's views as the responsible person: a justified, a partly
justified and an unjustified complaint answered in each language from a letter drafted from the
default template, with no problem left, sent by e-mail to a real SMTP server; and the holding reply
of a card under investigation, drafted in one click."""

import io
from email import message_from_bytes, policy

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from amends.answers.checks import letter_problems
from amends.answers.choices import CompensationKind, Outcome
from amends.answers.models import CompensationOption, Delivery, DeliveryStatus, LegalReference, Letter
from amends.complaints.choices import Channel, EventKind, Justification, State
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_update
from amends.deadlines.choices import ClockKind, Preset
from amends.deadlines.models import Clock
from amends.deadlines.services import card_preset_choose

ADDRESS = "620000, Екатеринбург, ул. Ленина, д. 5, кв. 7"
# As customers write: quotes, a line break, a date, and longer than a letter restates (300 characters).
WORDING = (
    "Заказ № 4411 от 28.11 привезли на три дня позже, чем обещали,\r\nкоробка «Чайник Vitek» смята, "
    "на корпусе трещина! Курьер не позвонил заранее, пришлось отпрашиваться с работы дважды. "
    "Прошу вернуть деньги за доставку и заменить чайник. Я ваш клиент уже пять лет и впервые так "
    "разочарована: в магазине сказали писать вам, а на горячей линии никто не отвечал весь вечер."
)
OUTCOMES = {
    Justification.JUSTIFIED: Outcome.SATISFIED, Justification.PARTLY: Outcome.PARTLY,
    Justification.UNJUSTIFIED: Outcome.REFUSED,
}


@pytest.fixture
def card_for(register, walk, qms, contact, letterhead, writer):
    """A complete card: the letterhead filled, the customer with a postal address and an e-mail, the
    responsible person with a position, phone and e-mail, a consumer-law claim (its statutory answer
    clock), decided (and, if justified, its measures carried out)."""
    contact.address = ADDRESS
    contact.save()

    def make(justification: str) -> Complaint:
        card = register(channel=Channel.EMAIL, wording=WORDING)
        card_preset_choose(complaint=card, actor=qms, preset=Preset.CONSUMER_REFUND)
        target = State.DECIDED if justification == Justification.UNJUSTIFIED else State.RESOLVED
        return walk(card, target, justification=justification)

    return make


def card_page(client, card) -> BeautifulSoup:
    response = client.get(reverse("complaints:detail", args=[card.number]))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def clocks(card) -> dict:
    return {clock.kind: clock for clock in Clock.objects.filter(complaint=card)}


def grant_compensation(client, card) -> None:
    option = CompensationOption.objects.filter(kind=CompensationKind.REFUND, is_active=True).order_by("pk").first()
    due = timezone.localdate() + timezone.timedelta(days=5)
    response = client.post(reverse("answers:compensation_grant", args=[card.number]), {
        "compensation-option": option.pk, "compensation-value": "1500.00",
        "compensation-method": "bank transfer", "compensation-due_date": due.isoformat(),
    })
    assert response.status_code == 302, response.content.decode()[:2000]


def choose_reference(client, card, writer) -> None:
    """The refusal cites a reference: chosen on the letter, and the text filled from the template again."""
    letter = Letter.objects.get(complaint=card)
    reference = LegalReference.objects.filter(is_active=True, language=letter.language).order_by("pk").first()
    response = client.post(reverse("answers:letter_edit", args=[card.number, letter.pk]), {
        "letter-subject": letter.subject, "letter-body": letter.body, "letter-references": [reference.pk],
        "letter-signed_by": writer.pk, "letter-redraft": "on",
    })
    assert response.status_code == 302


def send_panel(client, card):
    return card_page(client, card).find(id="answer-send")


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages).split())


@pytest.mark.parametrize("language", ["ru", "en", "hy"])
@pytest.mark.parametrize("justification", list(OUTCOMES))
def test_the_responsible_person_answers_from_the_card(
    client, card_for, writer, smtp_server, django_capture_on_commit_callbacks, language, justification,
):
    card = card_for(justification)
    client.force_login(writer)
    page = card_page(client, card)
    # One way to answer: the card's actions link to the send panel instead of the free-text step.
    assert page.find("details", attrs={"data-transition": "answer"}) is None
    assert page.find(attrs={"data-transition-panel": "answer"}).find("a")["href"] == "#answer-send"
    assert page.find(id="answer-send").find(id="answer-needs-letter").find("a")["href"] == "#panel-letter"

    if justification != Justification.UNJUSTIFIED:
        grant_compensation(client, card)
    response = client.post(reverse("answers:letter_draft", args=[card.number]),
                           {"draft-outcome": OUTCOMES[justification], "draft-language": language})
    assert response.status_code == 302
    if justification == Justification.UNJUSTIFIED:
        choose_reference(client, card, writer)
    letter = Letter.objects.get(complaint=card)
    assert (letter.outcome, letter.language) == (OUTCOMES[justification], language)
    assert letter_problems(letter) == []
    panel = send_panel(client, card)
    assert panel.find(class_="problems") is None and panel.find(id="answer-send-form") is not None
    assert panel.find(id="answer-needs-letter") is None

    smtp_server.envelopes.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("answers:send", args=[card.number, letter.pk]), {"channel": "email"})
    assert response.status_code == 302

    card = Complaint.objects.get(pk=card.pk)
    assert card.state == State.ANSWERED and card.answer_text == letter.body
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == [card.contact.email]
    mail = message_from_bytes(envelope.original_content, policy=policy.default)
    assert " ".join(letter.body.split()) in " ".join(mail.get_body(("plain",)).get_content().split())
    (pdf,) = list(mail.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    text = pdf_text(pdf.get_content())
    assert card.number in text and ADDRESS in text and "Анна Петрова" in text

    delivery = Delivery.objects.get(letter=letter)
    assert delivery.status == DeliveryStatus.SENT and delivery.sent_at is not None
    (event,) = card.events.filter(kind=EventKind.ANSWER_SENT)
    assert event.params["text"] == letter.body and event.params["recipient"] == card.contact.email
    assert event.params["attachments"] == [pdf.get_filename()]
    running = clocks(card)
    assert running[ClockKind.ANSWER].met_at == delivery.sent_at
    assert running[ClockKind.FIRST_RESPONSE].met_at == delivery.sent_at


def test_the_holding_reply_is_one_click_from_the_send_panel(
    client, register, walk, qms, contact, letterhead, writer, smtp_server, django_capture_on_commit_callbacks,
):
    contact.address = ADDRESS
    contact.save()
    card = walk(register(channel=Channel.EMAIL), State.INVESTIGATING)
    card = complaint_update(complaint=card, actor=qms, changes={"needs_investigation": True})
    client.force_login(writer)
    offer = send_panel(client, card).find(id="holding-offer")
    fields = {field["name"]: field["value"] for field in offer.find_all("input", type="hidden")}
    fields.pop("csrfmiddlewaretoken")
    assert fields == {"draft-outcome": Outcome.HOLDING, "draft-language": "ru"}
    assert client.post(offer["action"], fields).status_code == 302  # the one click

    letter = Letter.objects.get(complaint=card)
    assert letter.outcome == Outcome.HOLDING and letter.language == "ru"
    assert letter_problems(letter) == []
    panel = send_panel(client, card)
    assert panel.find(id="holding-offer") is None and panel.find(class_="problems") is None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("answers:send", args=[card.number, letter.pk]), {"channel": "email"})
    assert response.status_code == 302

    card = Complaint.objects.get(pk=card.pk)
    assert card.state == State.INVESTIGATING and not card.answer_text
    delivery = Delivery.objects.get(letter=letter)
    assert delivery.status == DeliveryStatus.SENT
    running = clocks(card)
    assert running[ClockKind.FIRST_RESPONSE].met_at == delivery.sent_at
    assert running[ClockKind.DECISION].met_at is None
    (envelope,) = [e for e in smtp_server.envelopes if e.rcpt_tos == [contact.email]]
    assert letter.subject in message_from_bytes(envelope.original_content, policy=policy.default)["Subject"]
