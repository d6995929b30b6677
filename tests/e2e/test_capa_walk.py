"""Issue 15's "Done when", in Russian, on the demo's data: the battery supplier is flagged over its
norm, the head of the QMS reads its scorecard and accepts the proposal, appoints the owner; the owner
(on a phone, 390 px) writes the 5 Whys and the fishbone, completes the analysis, plans an action and
reports it done; a hundred days later (the action's end moved back, as the demo does) the check shows
the complaints before and after, the QMS head records it effective and closes the record; it prints.

The demo is loaded with `capa_records=False`: its checks run, its proposals wait for a person."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from amends.accounts.models import User
from amends.capa.choices import NonconformityState
from amends.capa.models import Action, Nonconformity
from amends.customers.models import Supplier
from amends.demo.capa import BATTERY_SUPPLIER, DONE_DAYS_AGO
from amends.demo.company import PASSWORD
from amends.demo.load import load_demo
from amends.demo.texts import SUPPLIERS

from .conftest import TIMEOUT_MS, action_plan_and_complete, action_report_done, watch

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], page.url


def test_the_battery_supplier_walked_from_its_norm_to_a_closed_nonconformity(
    chromium_browser, live_server, reference_data_restored,
):
    load_demo(capa_records=False)
    battery = Supplier.objects.get(name=SUPPLIERS[BATTERY_SUPPLIER][0])
    errors: list[str] = []

    def login(username: str, viewport: dict):
        context = chromium_browser.new_context(base_url=live_server.url, locale="ru-RU", viewport=viewport)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        watch(page, username, errors)
        page.goto("/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("section.login form button[type=submit]")
        return page

    qms = login("qms", {"width": 1366, "height": 900})
    qms.goto("/capa/norms/")
    flagged = qms.locator("tr.norm-exceeded", has_text=battery.name)
    expect(flagged).to_contain_text("10 / 6")
    expect(qms.locator("h1")).to_contain_text("Нормы по поставщикам и производителю")

    qms.goto("/capa/suppliers/?status=over")
    with qms.expect_navigation():
        qms.locator(f"a[href^='/capa/suppliers/{battery.pk}/?']").first.click()
    expect(qms.locator("main")).to_contain_text(battery.name)
    expect(qms.locator("main svg[role=img]").first).to_be_visible()

    qms.goto("/capa/proposals/")
    proposal = qms.locator("article.proposal[data-status=pending]", has_text=battery.name)
    proposal.locator("details summary").first.click()
    with qms.expect_navigation():
        proposal.locator("form").first.locator("button[type=submit]").click()
    record = Nonconformity.objects.get(supplier=battery)
    assert record.complaints.count() == 10 and record.owner is None

    url = f"/capa/{record.number}/"
    qms.goto(url)
    owner = "responsible3"
    owner_pk = User.objects.get(username=owner).pk
    qms.select_option("#id_appoint-owner", str(owner_pk))
    with qms.expect_navigation():
        qms.click("#appoint button[type=submit]")
    record.refresh_from_db()
    assert record.owner_id == owner_pk

    page = login(owner, PHONE)
    page.goto(url)
    page.fill("#id_whys-why_1", "Почему котлы останавливаются при отключении света?")
    page.fill("#id_whys-because_1", "Аккумулятор блока резервного питания не держит нагрузку")
    page.fill("#id_whys-why_2", "Почему аккумулятор не держит нагрузку?")
    page.fill("#id_whys-because_2", "Поставщик сменил элементы без уведомления")
    with page.expect_navigation():
        page.click("#whys-form button[type=submit]")
    page.click("#fishbone-form summary")
    page.select_option("#id_fishbone-category", "material")
    page.fill("#id_fishbone-text", "Элементы другого производителя в АКБ-12")
    page.check("#id_fishbone-is_root")
    with page.expect_navigation():
        page.click("#fishbone-form button[type=submit]")
    page.click("#analysis-form summary")
    page.fill("#id_analysis-root_cause", "Смена элементов аккумулятора без согласования")
    with page.expect_navigation():
        page.click("#analysis-form button[type=submit]")
    record.refresh_from_db()
    assert record.state == NonconformityState.ANALYSED
    fits(page)

    action_plan_and_complete(page, owner_pk, "Заменить аккумуляторы партий с новыми элементами",
                             timezone.localdate() + timedelta(days=7))
    action = Action.objects.get(nonconformity=record)
    action_report_done(page, action.pk, "Заменено 46 аккумуляторов, партии возвращены поставщику")
    record.refresh_from_db()
    assert record.state == NonconformityState.ACTIONS_DONE
    fits(page)

    # A hundred days later: the action's end and check date moved back, as the demo backdates its story.
    done = timezone.now() - timedelta(days=DONE_DAYS_AGO)
    Action.objects.filter(pk=action.pk).update(done_at=done, check_on=timezone.localdate(done) + timedelta(days=90))
    qms.set_viewport_size(PHONE)
    qms.goto(url)
    check = qms.locator(".capa-check-form")
    supplier_row = check.locator("[data-dimension=supplier]")
    expect(supplier_row.locator(".evidence-before")).to_have_text("7")
    expect(supplier_row.locator(".evidence-after")).to_have_text("1")
    expect(check).to_contain_text("До:")
    fits(qms)
    check.locator("input[name=effective][value=yes]").check()
    check.locator("textarea[name=comment]").fill("Одна жалоба за сто дней против семи до того")
    with qms.expect_navigation():
        check.locator("button[type=submit]").click()
    record.refresh_from_db()
    assert record.state == NonconformityState.EFFECTIVENESS_CHECKED
    with qms.expect_navigation():
        qms.click("#close button[type=submit]")
    record.refresh_from_db()
    assert record.state == NonconformityState.CLOSED

    with qms.expect_popup() as printed:
        qms.click(f"a[href='/capa/{record.number}/print/']")
    print_page = printed.value
    print_page.wait_for_load_state()
    expect(print_page.locator("body")).to_contain_text(record.number)
    expect(print_page.locator("body")).to_contain_text("Смена элементов аккумулятора без согласования")
    pdf = qms.request.get(f"/capa/{record.number}/pdf/")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    assert not errors
