from datetime import timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from amends.complaints.choices import Channel

from .conftest import NOW

pytestmark = pytest.mark.urls("amends.reports.tests.urls")

WEEKLY = "/reports/weekly/"
XLSX = "/reports/weekly.xlsx"


@pytest.mark.parametrize("path", [WEEKLY, XLSX])
def test_anonymous_visitors_are_sent_to_log_in(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("path", [WEEKLY, XLSX])
@pytest.mark.parametrize("role", ["operator", "responsible", "executor"])
def test_only_those_who_see_the_whole_picture_get_the_summary(client, request, path, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", ["qms", "manager", "administrator"])
def test_the_qms_head_managers_and_administrators_see_last_week(client, request, role, week):
    client.force_login(request.getfixturevalue(role))
    response = client.get(WEEKLY, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["summary"].label == "2025-W11"
    page = response.content.decode()
    assert '<a href="?week=2025-W10" rel="prev">' in page
    assert '<a href="?week=2025-W12" rel="next">' in page
    assert '<a class="button small" href="/reports/weekly.xlsx?week=2025-W11">' in page
    # Every overdue and every open card links to its card.
    for card in (week.D, week.B, week.C, week.A, week.I, week.E, week.F):
        assert f'<a href="/complaints/{card.number}/">{card.number}</a>' in page
    assert "8 d 22 h" in page  # D's decision, the longest overdue


def test_a_week_is_chosen_by_its_iso_name_and_the_current_one_has_no_next(client, qms, week):
    client.force_login(qms)
    response = client.get(WEEKLY, {"week": "2025-W12"})
    assert response.context["summary"].received == 1
    assert 'rel="next"' not in response.content.decode()


@pytest.mark.parametrize("bad", ["2025-12", "2025-W60", "next"])
def test_a_week_that_is_not_an_iso_week_is_not_found(client, qms, bad):
    client.force_login(qms)
    assert client.get(WEEKLY, {"week": bad}).status_code == 404
    assert client.get(XLSX, {"week": bad}).status_code == 404


def test_the_workbook_is_downloaded_under_the_weeks_name(client, manager, week):
    client.force_login(manager)
    response = client.get(XLSX, {"week": "2025-W11"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="amends-weekly-2025-W11.xlsx"'
    assert response.content.startswith(b"PK")


def test_the_page_takes_as_many_queries_with_more_overdue_and_open_cards(client, qms, week, register, frozen):
    client.force_login(qms)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(WEEKLY).status_code == 200
        return len(captured)

    before = queries()
    frozen(NOW - timedelta(days=5))
    for _ in range(20):
        register(channel=Channel.EMAIL)
    frozen(NOW)
    assert queries() == before


def test_without_a_base_url_the_downloaded_workbook_links_cards_on_the_host_it_came_from(
    client, manager, week, settings,
):
    settings.AMENDS_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["amends.shop.example"]
    client.force_login(manager)
    response = client.get(XLSX, {"week": "2025-W11"}, HTTP_HOST="amends.shop.example")
    book = load_workbook(BytesIO(response.content))
    links = {cell.hyperlink.target for sheet in book for row in sheet.iter_rows() for cell in row if cell.hyperlink}
    assert f"http://amends.shop.example/complaints/{week.D.number}/" in links
    assert all(link.startswith("http://amends.shop.example/complaints/") for link in links)


def test_a_measure_is_due_on_its_date_as_on_the_card(client, qms, week):
    client.force_login(qms)
    page = client.get(WEEKLY, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = page.split(f'<a href="/complaints/{week.C.number}/">')[1].split("</tr>")[0]
    assert "15 Mar 2025<" in row and "16 Mar" not in row and "00:00" not in row
