"""Proposals in a real browser, on a phone's width (issue 15, item 4): three customers send alike
complaints, the hourly run proposes a nonconformity, the head of the QMS reads what was found, with
the cards behind it, and accepts it with an owner; the decision stays listed."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from amends.capa.models import Nonconformity
from amends.capa.proposal_checks import proposals_check
from amends.complaints.choices import Channel
from amends.complaints.services import complaint_register
from amends.customers.services import contact_create
from amends.duplicates.tests.samples import RU, RU_RESENT

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_cluster_is_proposed_and_accepted_by_the_qms_head(login_as, people):
    qms, responsible = people["qms"], people["responsible"]
    with translation.override("ru"):
        cards = [
            complaint_register(actor=people["operator"], channel=Channel.EMAIL, wording=wording, duplicates="now",
                               contact=contact_create(full_name=f"Покупатель {i}", email=f"buyer{i}@example.org"))
            for i, wording in enumerate((RU, RU_RESENT, RU))
        ]
    assert proposals_check() == {"cluster_check": 1, "cause_growth_check": 0}

    page = login_as(qms)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/capa/proposals/")
    proposal = page.locator("article.proposal[data-status=pending]")
    expect(proposal).to_contain_text("3 customers complained in similar words within 30 days: 3 complaints")
    for card in cards:
        expect(proposal.locator(f"a[href='/complaints/{card.number}/']")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone

    proposal.locator("summary", has_text="Accept as a nonconformity").click()
    expect(proposal.locator("input[name$=-title]")).to_have_value("Similar complaints from 3 customers")
    proposal.locator("select[name$=-owner]").select_option(str(responsible.pk))
    proposal.locator("button", has_text="Open the nonconformity").click()

    record = Nonconformity.objects.get()
    expect(page.locator("body")).to_contain_text(f"Nonconformity {record.number} opened from the proposal.")
    expect(page.locator("body")).to_contain_text("Nothing waits for a decision.")
    decided = page.locator("article.proposal[data-status=accepted]")
    expect(decided).to_contain_text("Decided by Kira Qualitova")
    expect(decided).to_contain_text(record.number)
    assert (record.owner, record.complaints.count()) == (responsible, 3)
    assert not login_as.page_errors
