"""The customer's words are never buried (issue 13, item 2), in a real browser: the customer writes
on the tracking page of a closed card; its responsible person finds the card flagged in the list,
reads the message on the card and reopens it."""

import pytest
from playwright.sync_api import expect

from amends.complaints.choices import Channel, EventKind, State
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_register
from amends.customers.services import contact_create
from amends.intake.tests.test_after_answer import answered

from .conftest import TIMEOUT_MS
from .test_walkthrough import act, assert_state, submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MESSAGE = "The new kettle leaks too, exactly like the first one."


def closed_card(people) -> Complaint:
    contact = contact_create(full_name="Anna Smirnova", email="anna@example.org")
    card = complaint_register(actor=None, channel=Channel.WEB_FORM, contact=contact, wording="The kettle leaks.")
    return answered(card, people["qms"], people["responsible"], close=True)


def test_a_tracking_page_message_flags_the_closed_card_and_its_responsible_person_reopens_it(
    chromium_browser, live_server, login_as, people,
):
    card = closed_card(people)

    # The customer, not signed in, writes on the tracking page of the closed card.
    context = chromium_browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    customer = context.new_page()
    customer.goto(f"/track/{card.number}/?code={card.tracking_code}&lang=en")
    customer.locator("textarea[name=text]").fill(MESSAGE)
    assert submit(customer, customer.locator("form.public-form button[type=submit]")) == 200
    context.close()
    stored = Complaint.objects.get(pk=card.pk)
    assert stored.state == State.CLOSED and stored.message_after_answer_at is not None

    # The responsible person filters the list by it and sees the marker on the card's row.
    page = login_as(people["responsible"])
    page.goto("/complaints/")
    page.locator("select[name=after_answer]").select_option("waiting")
    submit(page, page.locator("form.filters button[type=submit]"))
    rows = page.locator("table.complaints tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td.number")).to_have_text(card.number)
    expect(rows.first.locator("td.after_answer .after-answer")).to_be_visible()

    # On the card: the message at the top, and the reopening among the actions.
    submit(page, rows.first.locator("td.number a"))
    panel = page.locator("#after-answer")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text(MESSAGE)
    act(page, "reopen_for_message", State.INVESTIGATING,
        fill=lambda form: form.locator("textarea[name$=comment]").fill("The replacement leaks: investigate again."))
    assert_state(page, State.INVESTIGATING)
    expect(page.locator("#after-answer")).to_have_count(0)

    stored = Complaint.objects.get(pk=card.pk)
    assert stored.state == State.INVESTIGATING and stored.message_after_answer_at is None
    move = stored.events.filter(kind=EventKind.TRANSITION).last()
    assert (move.transition, move.actor) == ("reopen_for_message", people["responsible"])
    assert login_as.page_errors == []
