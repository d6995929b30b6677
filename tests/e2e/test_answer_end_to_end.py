"""One answer end to end (issue 14, "Done when"), in a real browser: on a decided justified card the
responsible person grants compensation within their limit, drafts the letter from the template, sees
the live tone check catch a stop-phrase typed in an inflected form with its replacement, removes it,
sends the letter by e-mail to a real SMTP server, and the customer's tracking page shows the letter
with its PDF; the e-mail carries the PDF, read back."""

import io
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from amends.answers.models import CompensationOption, Letter, Letterhead
from amends.complaints.choices import Channel, Justification, State
from amends.complaints.models import Cause, Complaint
from amends.complaints.services import complaint_register, complaint_transition, measure_add, measure_report
from amends.customers.services import contact_create
from amends.intake.tests.test_email_smtp import smtp_server  # noqa: F401 - the loopback SMTP server

from .conftest import TIMEOUT_MS
from .test_walkthrough import assert_state, submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADDRESS = "101000, Москва, ул. Мясницкая, д. 20, кв. 3"
INFLECTED = "Раньше мы ничем не смогли вам помочь."  # the stop-phrase "ничем не могу помочь", inflected


def resolved_card(people) -> Complaint:
    qms, responsible, executor = people["qms"], people["responsible"], people["executor"]
    responsible.position, responsible.phone = "Head of service", "+7 495 000 0001"
    responsible.email = "roman@example.ru"
    responsible.save()
    Letterhead.objects.create(name="ООО «Сервис Плюс»", registration="ОГРН 1027700132195",
                              address="101000, Москва, ул. Мясницкая, д. 1", phone="+7 495 000 0000")
    contact = contact_create(full_name="Смирнова Анна Петровна", email="anna@example.org")
    contact.address = ADDRESS
    contact.save()
    card = complaint_register(actor=people["operator"], channel=Channel.EMAIL, contact=contact,
                              wording="Чайник пришёл с трещиной на корпусе, доставка опоздала на три дня.")
    card = complaint_transition(complaint=card, name="assign", actor=qms, data={"responsible": responsible})
    card = complaint_transition(complaint=card, name="investigate", actor=responsible)
    card = complaint_transition(complaint=card, name="decide", actor=responsible, data={
        "justification": Justification.JUSTIFIED, "opinion": "Чайник разбили при перевозке.",
        "cause": Cause.objects.order_by("pk").first(),
    })
    measure = measure_add(complaint=card, actor=responsible, description="Заменить чайник", executor=executor,
                          due_date=timezone.localdate() + timedelta(days=3))
    card = complaint_transition(complaint=card, name="plan", actor=responsible)
    card = complaint_transition(complaint=card, name="approve", actor=qms)
    measure_report(measure=measure, actor=executor, report="Заменили.")
    return complaint_transition(complaint=card, name="complete", actor=executor)


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_one_answer_end_to_end(chromium_browser, live_server, login_as, people, smtp_server):  # noqa: F811
    card = resolved_card(people)
    refund = CompensationOption.objects.get(kind="refund")
    page = login_as(people["responsible"])
    page.goto(f"/complaints/{card.number}/")

    # Compensation within the responsible person's limit: granted at once.
    panel = page.locator("#panel-compensation")
    panel.locator("#compensation-form summary").click()
    panel.locator("select[name=compensation-option]").select_option(str(refund.pk))
    panel.locator("input[name=compensation-value]").fill("1500")
    panel.locator("input[name=compensation-method]").fill("переводом на карту")
    panel.locator("input[name=compensation-due_date]").fill((timezone.localdate() + timedelta(days=5)).isoformat())
    submit(page, panel.locator("button", has_text="Grant").last)
    expect(page.locator(".messages li.success")).to_contain_text("Compensation granted.")

    # The letter from the template, in the customer's language.
    letter_panel = page.locator("#panel-letter")
    expect(letter_panel.locator("select[name=draft-outcome]")).to_have_value("satisfied")
    submit(page, letter_panel.get_by_role("button", name="Draft", exact=True))
    body = page.locator("textarea[name=letter-body]")
    drafted = body.input_value()
    assert "1 500,00" in " ".join(drafted.split()) and "переводом на карту" in drafted  # grouped with a no-break space
    expect(page.locator("#panel-letter .letter-complete")).to_be_visible()

    # A stop-phrase typed in an inflected form: found in place, with its replacement.
    body.fill(f"{INFLECTED}\n{drafted}")
    finding = page.locator("#tone-letter-body mark.tone-finding")
    expect(finding).to_have_text("ничем не смогли вам помочь")
    expect(page.locator("#tone-letter-body .tone-findings")).to_contain_text("Вот что я могу сделать")
    body.fill(drafted)
    expect(finding).to_have_count(0)
    expect(page.locator("#tone-letter-body li.missing")).to_have_count(0)
    submit(page, letter_panel.get_by_role("button", name="Save the letter"))

    # Nothing stops it: sent by e-mail.
    send = page.locator("#answer-send")
    expect(send.locator(".problems")).to_have_count(0)
    expect(page.locator('#actions [data-transition-panel="answer"] a')).to_have_attribute("href", "#answer-send")
    send.locator("input[name=channel][value=email]").check()
    assert submit(page, send.locator("#answer-send-form button[type=submit]")) == 200
    assert_state(page, State.ANSWERED, "sent by e-mail")
    expect(page.locator("#answer-send tr.delivery")).to_have_class("delivery delivery-sent")
    assert not login_as.page_errors, login_as.page_errors

    letter = Letter.objects.get(complaint=card)
    (envelope,) = [e for e in smtp_server.envelopes if e.rcpt_tos == ["anna@example.org"]]
    mail = message_from_bytes(envelope.original_content, policy=policy.default)
    (pdf,) = list(mail.iter_attachments())
    text = pdf_text(pdf.get_content())
    assert card.number in text and "Смирнова Анна Петровна" in text and "1 500,00" in text
    assert INFLECTED not in letter.body

    # The customer reads it on their tracking page, with its PDF.
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    customer = context.new_page()
    customer.goto(f"/track/{card.number}/?code={card.tracking_code}&lang=en")
    letters = customer.locator("#answer-letters")
    expect(letters).to_contain_text(letter.subject)
    link = letters.locator("a", has_text="PDF")
    fetched = customer.request.get(link.get_attribute("href"))  # as the customer's browser follows it
    assert fetched.status == 200 and fetched.headers["content-type"] == "application/pdf"
    assert card.number in pdf_text(fetched.body())
    context.close()
