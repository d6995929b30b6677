"""Compensation in a real browser (issue 14, item 4): the responsible person grants above their
limit, the head of the QMS is told, approves it from the list of grants waiting, and the card shows
who granted and who approved it."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from amends.answers.models import CompensationOption
from amends.complaints.choices import Channel
from amends.complaints.services import complaint_register, complaint_transition
from amends.customers.services import contact_create
from amends.notifications.models import Notification

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_grant_above_the_limit_is_approved_by_the_qms_head(login_as, people):
    qms, responsible = people["qms"], people["responsible"]
    contact = contact_create(full_name="Анна Смирнова", email="anna@example.org")
    with translation.override("ru"):
        card = complaint_register(actor=None, channel=Channel.EMAIL, contact=contact, wording="Чайник течёт.")
        card = complaint_transition(complaint=card, name="assign", actor=qms, data={"responsible": responsible})
    voucher = CompensationOption.objects.get(kind="voucher")

    page = login_as(responsible)
    page.goto(f"/complaints/{card.number}/")
    panel = page.locator("#panel-compensation")
    panel.locator("#compensation-form summary").click()
    expect(panel.locator(".compensation-limits")).to_contain_text(f"{voucher.name}: up to 5,000.00 RUB")
    panel.locator("select[name=compensation-option]").select_option(str(voucher.pk))
    panel.locator("input[name=compensation-value]").fill("6000")
    panel.locator("input[name=compensation-method]").fill("by post with the answer")
    panel.locator("button", has_text="Grant").last.click()
    expect(page.locator("body")).to_contain_text("waits for the approval of the head of the QMS")
    row = page.locator("#panel-compensation tr.grant")
    expect(row).to_have_attribute("data-status", "pending")
    expect(page.locator("ol.timeline")).to_contain_text("Compensation proposed:")

    # The QMS head hears of it, and approves it from the list the notification links to.
    assert Notification.objects.filter(user=qms, kind="compensation_pending").exists()
    head = login_as(qms)
    head.goto("/answers/compensation/pending/")
    expect(head.locator("tr.grant")).to_contain_text("6,000.00 RUB")
    head.locator("tr.grant button", has_text="Approve").click()
    expect(head.locator("body")).to_contain_text("Nothing waits for approval.")
    head.goto(f"/complaints/{card.number}/")
    row = head.locator("#panel-compensation tr.grant")
    expect(row).to_have_attribute("data-status", "approved")
    expect(row).to_contain_text("Roman Rostov")
    expect(row).to_contain_text("approved by Kira Qualitova")
    assert not login_as.page_errors
