"""Root cause analysis in the browser, on a phone (390 px): the owner asks why step by step, puts
causes on the fishbone, states the root cause; the page and the print page never scroll sideways,
only the diagram does, and nothing is covered."""

import pytest

from amends.capa.models import Nonconformity
from amends.capa.nonconformities import nonconformity_appoint, nonconformity_open
from amends.complaints.choices import Channel
from amends.complaints.services import complaint_register
from amends.customers.services import contact_create

from .test_screens import PROBE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DIAGRAM = """() => { const box = document.querySelector(".fishbone-scroll");
  return {scrolls: box.scrollWidth > box.clientWidth, text: box.querySelector("svg").textContent}; }"""


def fits(page, where: str) -> None:
    found = page.evaluate(PROBE)
    assert found["width"] <= found["viewport"], f"{where}: the page is {found['width']} px wide"
    assert not found["covered"], f"{where}: {found['covered']}"
    assert not found["spilling"], f"{where}: {found['spilling']}"


def test_the_owner_analyses_the_root_cause_on_a_phone(login_as, people):
    qms, owner = people["qms"], people["responsible"]
    contact = contact_create(full_name="Иванов Иван", phone="+7 912 345-67-89")
    cards = [complaint_register(actor=people["operator"], channel=Channel.PHONE, contact=contact,
                                wording="Аккумулятор не держит заряд") for _n in range(2)]
    record = nonconformity_open(actor=qms, title="Батареи E1 теряют ёмкость за полгода", complaints=cards)
    nonconformity_appoint(actor=qms, nonconformity=record, owner=owner)
    page = login_as(owner)
    page.set_viewport_size(PHONE)
    page.goto(f"/capa/{record.number}/")
    fits(page, "the record's page")

    page.fill("#id_whys-why_1", "Why do the batteries lose capacity?")
    page.fill("#id_whys-because_1", "The cells in one pack differ")
    page.fill("#id_whys-why_2", "Why do the cells differ?")
    page.fill("#id_whys-because_2", "The supplier does not sort them by batch")
    page.click("#whys-form button[type=submit]")
    page.wait_for_selector(".whys-chain")
    assert page.locator(".whys-because").all_inner_texts()[-1].endswith("The supplier does not sort them by batch")

    for category, text, root in [("material", "Cells from different batches", True),
                                 ("measurement", "Incoming inspection checks the voltage only", False)]:
        page.click("#fishbone-form summary")
        page.select_option("#id_fishbone-category", category)
        page.fill("#id_fishbone-text", text)
        if root:
            page.check("#id_fishbone-is_root")
        page.click("#fishbone-form button[type=submit]")
        page.wait_for_selector(f".fishbone-cause:has-text('{text}')")
    diagram = page.evaluate(DIAGRAM)
    assert diagram["scrolls"], "the diagram keeps its size and scrolls on a phone"
    assert "Cells from different batches" in diagram["text"] and "Incoming inspection" in diagram["text"]
    assert page.locator(".fishbone-cause.root").inner_text().startswith("Cells from different batches")
    fits(page, "the record's page with its analysis")

    page.click("#analysis-form summary")
    page.fill("#id_analysis-root_cause", "No incoming inspection of cell capacity")
    page.click("#analysis-form button[type=submit]")
    page.wait_for_selector("#root-cause-stated")
    assert Nonconformity.objects.get(pk=record.pk).state == "analysed"

    page.goto(f"/capa/{record.number}/print/")
    assert "The supplier does not sort them by batch" in page.inner_text(".whys-chain")
    fits(page, "the print page")
    assert not login_as.page_errors, login_as.page_errors
