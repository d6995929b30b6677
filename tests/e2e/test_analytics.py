"""The analysis in the browser, as the QMS head uses it: the dashboard after login, a period and a
channel, a bar drilled down to its cards, the dashboard downloaded, the register exported from the
drill-down and from the complaint list and written by the worker, the monthly pack with a decision,
the yearly statement. Every figure read on the way is checked against SQL written here."""

from datetime import date, datetime, time
from io import BytesIO
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from amends.analytics.dashboards import DASHBOARDS
from amends.analytics.models import RegisterExport, ReviewDecision
from amends.analytics.tests import board_fixtures
from amends.core.queues import QUEUES
from amends.jobs.schedule import PERIODIC
from amends.jobs.worker import AmendsWorker

from .conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

counted_cards = board_fixtures.counted_cards  # the fixture, where pytest finds it

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}  # exports wait for the worker
NO_PERIODIC = [job.name for job in PERIODIC]
COUNTED = ("FROM complaints_complaint WHERE request_type IN ('complaint', 'claim') "
           "AND state NOT IN ('duplicate', 'withdrawn') AND received_at >= %s AND received_at < %s")


def sql_count(start: date, end: date, extra: str = "", params: tuple = ()) -> int:
    """Counted cards received from `start` up to (not including) `end`, local days."""
    zone = timezone.get_default_timezone()
    bounds = [connection.ops.adapt_datetimefield_value(datetime.combine(day, time.min, tzinfo=zone))
              for day in (start, end)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) {COUNTED} {extra}", [*bounds, *params])
        return cursor.fetchone()[0]


@pytest.fixture
def qms_head(reference_data_restored, counted_cards, qms):
    qms.set_password(PASSWORD)
    qms.language = "en"
    qms.save()
    return qms


def download(page, click) -> bytes:
    with page.expect_download() as started:
        click()
    return Path(started.value.path()).read_bytes()


def export_and_download(page, button: str) -> tuple[RegisterExport, bytes]:
    """Start an export with the page's button, let the worker write it, download it when the link shows."""
    with page.expect_navigation():
        page.locator(f"form.export-buttons button[value={button}]").click()
    expect(page.locator("h1")).to_have_text("Complaint register export")
    export = RegisterExport.objects.latest("pk")
    assert export.state == "queued" and export.format == button
    AmendsWorker().run(once=True)
    link = page.locator("#export-progress a[download]")
    expect(link).to_be_visible()  # the page asks every two seconds: no reload
    return export, download(page, link.click)


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=NO_PERIODIC)
def test_the_qms_head_reads_drills_downloads_exports_and_reviews(qms_head, login_as):
    april_email = sql_count(date(2026, 4, 1), date(2026, 5, 1), "AND channel = %s", ("email",))
    period_email = sql_count(date(2026, 3, 1), date(2026, 6, 1), "AND channel = %s", ("email",))
    assert 0 < april_email < period_email

    page = login_as(qms_head)
    expect(page.locator("h1")).to_have_text("Analysis: Overview")  # where the login lands
    expect(page.locator(".analysis-nav a[aria-current=page]")).to_have_text("Overview")

    # A period and a channel.
    page.fill("#id_start", "2026-03-01")
    page.fill("#id_end", "2026-05-31")
    page.locator("details.more-filters summary").click()
    page.select_option("#id_channel", "email")
    with page.expect_navigation():
        page.click("form.analytics-filters button[type=submit]")
    expect(page.locator("#filters-described")).to_contain_text("Channel: E-mail")
    chart = page.locator("#chart-by_month_channel")
    expect(chart.locator("svg")).to_be_visible()

    # The April bar: exactly the cards it counted.
    with page.expect_navigation():
        chart.locator('svg a[href*="point=2026-04"]').first.click()
    expect(page.locator("#drill-count")).to_contain_text(f"{april_email} card")
    expect(page.locator("table.complaints tbody tr")).to_have_count(april_email)
    expect(page.locator(".analysis-nav a[aria-current=true]")).to_have_text("Overview")

    # The drill-down's cards to CSV, written by the worker.
    export, csv_file = export_and_download(page, "csv")
    assert export.source == "drill"
    assert len(csv_file.decode("utf-8-sig").strip().splitlines()) == 1 + april_email

    # Back on the dashboard, its workbook and PDF with the same filters.
    page.goto("/analytics/overview/?start=2026-03-01&end=2026-05-31&channel=email")
    workbook = load_workbook(BytesIO(download(page, page.locator(".downloads a", has_text="XLSX").click)))
    sheet = next(sheet for sheet in workbook.worksheets if sheet["A1"].value == "Month")
    email = [cell.value for cell in sheet[1]].index("E-mail")
    months = {row[1].date(): row[email] or 0 for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert months[date(2026, 4, 1)] == april_email and sum(months.values()) == period_email
    # The PDF opens in the browser's viewer (inline): fetched with the page's session instead.
    pdf = page.request.get(page.locator(".downloads a", has_text="PDF").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    # The complaint list's cards to XLSX: those the list shows, objections and other requests too.
    page.goto("/complaints/?channel=email")
    export, xlsx_file = export_and_download(page, "xlsx")
    assert export.source == "list"
    listed = load_workbook(BytesIO(xlsx_file)).worksheets[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM complaints_complaint WHERE channel = %s AND state NOT IN (%s, %s)",
                       ["email", "duplicate", "withdrawn"])
        numbers = {number for (number,) in cursor.fetchall()}
    # A card number is a link: =HYPERLINK("…/complaints/2026-000001/","2026-000001").
    assert {row[0].rsplit('"', 2)[-2] for row in listed.iter_rows(min_row=2, values_only=True)} == numbers

    # The monthly pack, through the analysis' navigation, and a decision of the meeting.
    page.goto("/analytics/")
    with page.expect_navigation():
        page.locator(".analysis-nav a", has_text="Monthly review pack").click()
    expect(page.locator(".analysis-nav a[aria-current=page]")).to_have_text("Monthly review pack")
    page.goto("/analytics/monthly/?month=2026-04")
    expect(page.locator("#figure-received td.current")).to_have_text(
        str(sql_count(date(2026, 4, 1), date(2026, 5, 1))))
    page.locator("details.monthly-decision-new summary").click()
    form = page.locator("details.monthly-decision-new form")
    form.locator("textarea[name=text]").fill("Answer every e-mail within a day")
    form.locator("select[name=owner]").select_option(str(qms_head.pk))
    form.locator("input[name=due_date]").fill("2026-12-20")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    decision = ReviewDecision.objects.get()
    assert decision.owner == qms_head and decision.review.month == date(2026, 4, 1)
    expect(page.locator(f"#decision-{decision.pk}")).to_contain_text("Answer every e-mail within a day")

    # The yearly statement.
    with page.expect_navigation():
        page.locator(".analysis-nav a", has_text="Yearly statement").click()
    page.goto("/analytics/yearly/?year=2026")
    expect(page.locator("h1")).to_contain_text("Yearly statement of complaint analysis")
    expect(page.locator("tr[data-key=received] td.current").first).to_have_text(
        str(sql_count(date(2026, 1, 1), date(2027, 1, 1))))
    assert not login_as.page_errors


PHONE = 390
PHONE_PAGES = {
    **{key: f"/analytics/{key}/?start=2026-03-01&end=2026-05-31" for key in DASHBOARDS},
    "drill-down": "/analytics/cards/?chart=by_month_channel&point=2026-04&series=email&start=2026-03-01&end=2026-05-31",
    "monthly": "/analytics/monthly/?month=2026-04",
    "yearly": "/analytics/yearly/?year=2026",
    "orders": "/analytics/orders/",
    "exports": "/analytics/exports/",
    "export": "/analytics/exports/{export}/",
    "subscriptions": "/analytics/subscriptions/",
}
WIDER_THAN_THE_SCREEN = """width => [...document.querySelectorAll("body *")].filter(element => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && (box.left < -0.5 || box.right > width + 0.5);
}).map(element => `${element.tagName}.${element.className} ${(element.textContent || "").trim().slice(0, 40)}`)"""


@pytest.mark.parametrize("name", PHONE_PAGES)
def test_no_analysis_page_is_wider_than_a_phone(qms_head, login_as, name):
    """In Armenian, the language of the longest words; a table inside a scrolling box counts too."""
    qms_head.language = "hy"
    qms_head.save(update_fields=["language"])
    export = RegisterExport.objects.create(user=qms_head, source="list", query="channel=email", format="xlsx",
                                           language="hy", state="running", rows_total=1200, rows_done=430)
    page = login_as(qms_head)
    page.set_viewport_size({"width": PHONE, "height": 844})
    page.goto(PHONE_PAGES[name].format(export=export.pk))
    expect(page.locator(".analysis-nav")).to_be_visible()
    for table in page.locator("details.chart-data").all():  # the charts' figures as tables, opened
        table.evaluate("details => details.open = true")
    assert page.evaluate(WIDER_THAN_THE_SCREEN, PHONE) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
