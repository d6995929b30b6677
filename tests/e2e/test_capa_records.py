"""The nonconformity register and record on a phone (390 px) in the longest languages: the head of
the QMS opens one from the register with two complaints, appoints its owner on the record, and no
page scrolls sideways, hides a control or spills a cell (the probe of test_screens.py)."""

import pytest

from amends.accounts.models import User
from amends.capa.models import Nonconformity
from amends.complaints.choices import Channel
from amends.complaints.services import complaint_register
from amends.customers.services import contact_create

from .conftest import PASSWORD, TIMEOUT_MS
from .test_screens import PROBE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def problems_on(page, who: str) -> list[str]:
    found = page.evaluate(PROBE)
    problems = [f"{who}: the page is {found['width']} px wide"] if found["width"] > found["viewport"] else []
    problems += [f"{who}: {control} is covered" for control in found["covered"]]
    problems += [f"{who}: {cell} spills over its neighbours" for cell in found["spilling"]]
    return problems + [f"{who}: {box} is too narrow to write in" for box in found["cramped"]]


@pytest.mark.parametrize("language", ["hy", "ru"])
def test_the_qms_head_opens_a_nonconformity_and_appoints_its_owner_on_a_phone(
    chromium_browser, live_server, people, contact, language,
):
    qms, responsible = people["qms"], people["responsible"]
    User.objects.filter(pk=qms.pk).update(language=language)
    other = contact_create(full_name="Петрова Анна Сергеевна", phone="+7 (913) 111-22-33")
    cards = [  # two customers, two wordings: neither is taken for the other's duplicate
        complaint_register(actor=people["operator"], channel=Channel.PHONE, contact=contact,
                           wording="Аккумулятор не держит заряд после двух недель"),
        complaint_register(actor=people["operator"], channel=Channel.EMAIL, contact=other,
                           wording="Велосипед выключается на подъёме, батарея садится за час"),
    ]
    context = chromium_browser.new_context(base_url=live_server.url, locale=language, viewport=PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", qms.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("section.login form button[type=submit]")
    problems: list[str] = []

    page.goto("/capa/")
    problems += problems_on(page, f"{language} register, empty")
    with page.expect_navigation():
        page.click("a.button[href='/capa/new/']")
    problems += problems_on(page, f"{language} new")
    page.fill("#id_title", "Аккумуляторы теряют ёмкость у партии АКБ-Снаб")
    page.fill("#id_complaints", f"{cards[0].number}, {cards[1].number}")
    with page.expect_navigation():
        page.click("form.record-new button[type=submit]")
    assert Nonconformity.objects.exists(), page.locator("main").inner_text()
    record = Nonconformity.objects.get()
    assert page.url.endswith(f"/capa/{record.number}/")
    assert page.locator("#complaints tbody tr").count() == 2
    problems += problems_on(page, f"{language} record")

    page.select_option("#id_appoint-owner", str(responsible.pk))
    with page.expect_navigation():
        page.click("#appoint button[type=submit]")
    assert page.locator("#record-owner").inner_text() == str(responsible)
    page.click("#edit > summary")
    problems += problems_on(page, f"{language} record, editing")

    page.goto("/capa/")
    assert page.locator("table.capa-register td.number").inner_text() == record.number
    problems += problems_on(page, f"{language} register")
    context.close()
    assert problems == []
