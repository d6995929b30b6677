"""The card's side of CAPA in a browser on a phone (390 px): the responsible person ticks two of
their cards in the list and opens a nonconformity from them, then on a card promotes its measure to
a corrective action; nothing scrolls sideways."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from amends.capa.models import Action, Nonconformity
from amends.complaints.choices import Channel, State
from amends.complaints.models import Complaint, Measure
from amends.complaints.services import complaint_register
from amends.customers.services import contact_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def submit(page: Page, button) -> None:
    with page.expect_navigation(wait_until="domcontentloaded"):
        button.click()


def fits(page: Page) -> None:
    width, viewport = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"{page.url} is {width} px wide on a {viewport} px screen"


def test_a_nonconformity_from_the_list_and_a_measure_promoted_on_a_phone(people, login_as):
    operator, responsible, executor = people["operator"], people["responsible"], people["executor"]
    customer = contact_create(full_name="Иванов Иван", phone="+7 912 345-67-89", email="ivanov@example.ru")
    first, second = (
        complaint_register(actor=operator, channel=Channel.EMAIL, contact=customer, wording=text)
        for text in ("Аккумулятор не держит заряд.", "Аккумулятор вздулся через месяц.")
    )
    Complaint.objects.filter(pk__in=[first.pk, second.pk]).update(state=State.INVESTIGATING, responsible=responsible)
    measure = Measure.objects.create(complaint=first, description="Заменить партию аккумуляторов",
                                     executor=executor, due_date=timezone.localdate() + timedelta(days=10))

    page = login_as(responsible)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/complaints/")
    fits(page)
    for card in (first, second):
        page.locator(f"input[name='bulk-cards'][value='{card.number}']").check()
    page.fill("#nc-from-list input[name='bulk-nc_title']", "Аккумуляторы теряют ёмкость")
    submit(page, page.locator("#nc-from-list button[value=open]"))
    record = Nonconformity.objects.get()
    expect(page.locator(".messages li.success")).to_contain_text(f"Nonconformity {record.number} opened")
    assert set(record.complaints.all()) == {first, second}

    page.goto(f"/complaints/{first.number}/")
    fits(page)
    panel = page.locator("#panel-nonconformities")
    expect(panel.locator(".nc-record")).to_contain_text("Аккумуляторы теряют ёмкость")
    panel.locator(f"#promote-{measure.pk} summary").click()
    expect(panel.locator(f"#id_promote-{measure.pk}-due_date")).to_have_value(measure.due_date.isoformat())
    panel.locator(f"#id_promote-{measure.pk}-nonconformity").select_option(str(record.pk))
    fits(page)
    submit(page, panel.locator(f"#promote-{measure.pk} button[type=submit]"))
    expect(page.locator(".messages li.success")).to_contain_text(record.number)
    expect(page.locator("#panel-nonconformities .nc-measure")).to_contain_text(
        f"promoted to a corrective action of {record.number}")
    fits(page)
    action = Action.objects.get()
    assert (action.nonconformity, action.owner, action.measure) == (record, executor, measure)
    assert not login_as.page_errors
