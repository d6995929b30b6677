"""The QMS head logs in on a phone, lands on the analysis, reads a chart, and drills down from one
bar to exactly the cards it counted."""

import pytest
from playwright.sync_api import expect

from amends.analytics.charts import CHARTS, ChartSpec
from amends.analytics.dashboards import DASHBOARDS, Dashboard
from amends.analytics.tests.test_board_views import by_channel, by_channel_drill
from amends.complaints.choices import Channel
from amends.complaints.services import complaint_register

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = 390


def fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE, f"{page.url} is {width} px wide on a {PHONE} px screen"


def test_a_manager_lands_on_the_dashboard_and_drills_down_on_a_phone(people, login_as, monkeypatch):
    # The test's own chart, registered as a figures module registers its charts.
    monkeypatch.setitem(CHARTS, "test_by_channel", ChartSpec("test_by_channel", "Cards by channel", by_channel,
                                                             by_channel_drill))
    monkeypatch.setitem(DASHBOARDS, "overview", Dashboard("overview", "Overview", ("test_by_channel",)))
    qms, operator = people["qms"], people["operator"]
    qms.language = "en"
    qms.save(update_fields=["language"])
    phoned = [complaint_register(actor=operator, channel=Channel.PHONE, wording=f"Звонок {n}") for n in range(3)]
    for n in range(2):
        complaint_register(actor=operator, channel=Channel.EMAIL, wording=f"Письмо {n}")

    page = login_as(qms)
    page.set_viewport_size({"width": PHONE, "height": 844})
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Analysis: Overview")
    expect(page.locator("#chart-test_by_channel svg")).to_be_visible()
    expect(page.locator("#not-counted")).to_contain_text("Duplicates, withdrawn cards")
    fits_the_phone(page)

    # The figures as a table, the phone's way to read them.
    page.locator("#chart-test_by_channel details summary").click()
    expect(page.locator("#chart-test_by_channel table.chart-table tbody tr", has_text="Phone")).to_contain_text("3")
    fits_the_phone(page)

    with page.expect_navigation():
        page.locator('#chart-test_by_channel svg a[href*="point=phone"]').first.click()
    expect(page.locator("#drill-count")).to_contain_text("3 cards")
    expect(page.locator("table.complaints tbody tr")).to_have_count(3)
    for card in phoned:
        expect(page.locator("table.complaints", has_text=card.number)).to_have_count(1)
    fits_the_phone(page)

    with page.expect_navigation():
        page.click("#drill-back")
    expect(page.locator("h1")).to_have_text("Analysis: Overview")
    assert not login_as.page_errors
