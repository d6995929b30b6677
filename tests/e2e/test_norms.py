"""The QMS head, on a phone, hears of a norm exceeded, finds the row flagged on the norms page,
chooses a quarter, and opens the cards counted down to one of them."""

from datetime import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from amends.capa.norms import norm_check
from amends.complaints.choices import CauseKind, Channel, Justification, State
from amends.complaints.models import Cause, Complaint
from amends.complaints.services import complaint_register

from .test_walkthrough import submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_qms_head_finds_the_norm_exceeded_and_its_cards_on_a_phone(people, login_as):
    qms, operator = people["qms"], people["operator"]
    qms.language = "en"
    qms.save(update_fields=["language"])
    today = timezone.localdate()
    received = datetime(today.year, (today.month - 1) // 3 * 3 + 1, 2, 12, tzinfo=timezone.get_default_timezone())
    cause = Cause.objects.get(kind=CauseKind.MANUFACTURER)
    cards = []
    for _ in range(5):
        card = complaint_register(actor=operator, channel=Channel.PHONE, wording="Треснул корпус чайника.")
        Complaint.objects.filter(pk=card.pk).update(
            cause=cause, justification=Justification.JUSTIFIED, state=State.CLOSED, received_at=received,
        )
        cards.append(card)
    norm_check()

    page = login_as(qms)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/notifications/")
    notice = page.locator("ol.notifications li", has_text="Norm exceeded: 5 complaints by the manufacturer")
    expect(notice).to_have_count(1)

    page.goto("/capa/norms/")
    row = page.locator("#norms tbody tr", has_text="Manufacturer's fault")
    expect(row.locator(".badge.norm-exceeded")).to_have_text("Exceeded")
    expect(row.locator("td.count")).to_have_text("5 / 4")
    # The page fits the phone: only the table's own box may scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.select_option("#id_kind", "quarter")
    submit(page, page.locator("form.filters button[type=submit]"))
    expect(page.locator("h1")).to_contain_text(f"{today.year} Q")
    submit(page, page.locator("#norms tbody tr", has_text="Manufacturer's fault").locator("td.count a"))
    expect(page.locator("#norm-cards tbody tr")).to_have_count(5)
    submit(page, page.locator("#norm-cards a", has_text=cards[0].number))
    assert page.url.endswith(f"/complaints/{cards[0].number}/")
    assert not login_as.page_errors
