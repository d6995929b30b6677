"""The head of the QMS finds the supplier over its norm in the suppliers list and reads its scorecard,
on a desk and at 390 px: the chart drawn, nothing scrolling sideways, nothing refused by the CSP."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from amends.capa.models import SupplierNorm
from amends.complaints.choices import CauseKind, Channel, Justification, State
from amends.complaints.models import Cause, Complaint
from amends.complaints.services import complaint_register
from amends.customers.models import Component, Product, Supplier

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def suppliers_with_cards(operator) -> Supplier:
    product = Product.objects.create(name="Электровелосипед E1", name_en="E-bike E1")
    cause = Cause.objects.filter(kind=CauseKind.SUPPLIER).first()
    over = Supplier.objects.create(name="АКБ-Снаб", name_en="AKB-Snab")
    SupplierNorm.objects.create(supplier=over, norm=1)
    Supplier.objects.create(name="Пласт", name_en="Plast")
    battery = Component.objects.create(name="Аккумулятор", name_en="Battery", product=product, supplier=over)
    for _ in range(2):
        card = complaint_register(actor=operator, channel=Channel.PHONE, wording="Аккумулятор не держит заряд")
        Complaint.objects.filter(pk=card.pk).update(
            state=State.INVESTIGATING, justification=Justification.JUSTIFIED, cause=cause, component=battery,
            received_at=timezone.now(),
        )
    return over


def test_the_supplier_over_its_norm_is_found_and_its_scorecard_read_on_a_phone(people, login_as):
    over = suppliers_with_cards(people["operator"])
    page = login_as(people["qms"])
    page.goto("/capa/suppliers/")
    page.select_option("#id_status", "over")
    # Each click loads a new page: wait for it, or the old page's rows (or none, mid-load) are read.
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    rows = page.locator("#suppliers tbody tr")
    expect(rows).to_have_count(1)
    assert "AKB-Snab" in rows.first.inner_text()
    page.goto("/capa/suppliers/")
    with page.expect_navigation():
        page.click("#suppliers thead a:text('Complaints')")
    assert page.locator("#suppliers tbody tr").first.inner_text().startswith("AKB-Snab")
    with page.expect_navigation():
        page.click("text=AKB-Snab")
    expect(page.locator("figure.scorecard-chart svg[role=img] rect")).to_have_count(5)
    assert "2 of 1 allowed" in page.locator("#figures").inner_text()
    for url in ("/capa/suppliers/", f"/capa/suppliers/{over.pk}/?kind=month"):
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url} is {width} px wide at 390 px"
    chart = page.locator("figure.scorecard-chart svg").bounding_box()
    assert chart is not None and 300 <= chart["width"] <= 390
    assert login_as.page_errors == []
