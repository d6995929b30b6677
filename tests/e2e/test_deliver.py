"""The answer delivered (issue 14, item 1), in a real browser: the responsible person sends the
letter from the card by e-mail and on the tracking page, sees each delivery sent and on the
timeline, and the customer reads it on their tracking page with its PDF."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from amends.answers import checks
from amends.answers.models import Letter
from amends.complaints.choices import Channel, Justification, State
from amends.complaints.models import Cause
from amends.complaints.services import complaint_register, complaint_transition
from amends.customers.services import contact_create

from .conftest import TIMEOUT_MS
from .test_walkthrough import assert_state, submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _delivery_alone(monkeypatch):
    """The letter's checks (elements, tone, compensation) have their own browser tests; this letter is short."""
    monkeypatch.setattr(checks, "_CHECKS", {})


def decided_with_letter(people) -> Letter:
    contact = contact_create(full_name="Anna Smirnova", email="anna@example.org")
    card = complaint_register(actor=None, channel=Channel.WEB_FORM, contact=contact, wording="The kettle leaks.")
    card = complaint_transition(complaint=card, name="assign", actor=people["qms"],
                                data={"responsible": people["responsible"]})
    card = complaint_transition(complaint=card, name="investigate", actor=people["responsible"])
    card = complaint_transition(complaint=card, name="decide", actor=people["responsible"], data={
        "justification": Justification.UNJUSTIFIED, "opinion": "Used with hard water.",
        "cause": Cause.objects.order_by("pk").first(),
    })
    return Letter.objects.create(
        complaint=card, outcome="refused", language="en", subject="About your kettle",
        body="Thank you for writing to us. The kettle was used with hard water.", created_by=people["responsible"],
    )


def send(page, channel: str) -> None:
    panel = page.locator("#answer-send")
    panel.locator(f"input[name=channel][value={channel}]").check()
    assert submit(page, panel.locator("#answer-send-form button[type=submit]")) == 200


def test_the_responsible_person_sends_the_answer_and_the_customer_reads_it(
    chromium_browser, live_server, login_as, people, monkeypatch,
):
    # The letter is short: the checks it passes before it goes are the answer flow's test
    # (test_answer_end_to_end.py); here only the delivery.
    monkeypatch.setattr(checks, "_CHECKS", {})
    letter = decided_with_letter(people)
    card = letter.complaint
    page = login_as(people["responsible"])
    page.goto(f"/complaints/{card.number}/")
    panel = page.locator("#answer-send")
    expect(panel).to_contain_text("About your kettle")
    expect(panel.locator("#answer-send-form")).to_contain_text("anna@example.org")

    send(page, "email")
    assert_state(page, State.ANSWERED, "sent by e-mail")
    rows = page.locator("#answer-send tr.delivery")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_class("delivery delivery-sent")
    (sent,) = mail.outbox
    assert sent.to == ["anna@example.org"] and sent.attachments[0][2] == "application/pdf"

    send(page, "tracking")
    expect(page.locator("#answer-send tr.delivery-sent")).to_have_count(2)
    expect(page.locator("ol.timeline")).to_contain_text("Published on the customer's tracking page")
    assert not login_as.page_errors

    context = chromium_browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    customer = context.new_page()
    customer.goto(f"/track/{card.number}/?code={card.tracking_code}&lang=en")
    letters = customer.locator("#answer-letters")
    expect(letters).to_contain_text("The kettle was used with hard water.")
    # A PDF opens in the browser (inline): fetched as the browser follows the link.
    fetched = customer.request.get(letters.locator("a", has_text="PDF").get_attribute("href"))
    assert fetched.status == 200 and fetched.body().startswith(b"%PDF")
    assert fetched.headers["content-disposition"].startswith("inline")
    context.close()
