"""The reports page, its workbook and its PDF on the known answers of test_figures: the figures shown
are the ones worked out there, other periods and segments do not count, and only overseers see them."""

import subprocess
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from amends.customers.models import OrganisationKind
from amends.surveys.choices import Band
from amends.surveys.documents import matrix_grid, report_context, report_xlsx
from amends.surveys.figures import CriterionRow, ReportFilter
from amends.surveys.selectors import Segment

from .test_figures import END, START, record_known_answers

pytestmark = pytest.mark.django_db

RANGE = {"start": START.isoformat(), "end": END.isoformat()}


def english(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def customers(version, complaint):
    return record_known_answers(version, complaint)


@pytest.mark.parametrize("name", ["surveys:reports", "surveys:reports_xlsx"])
def test_only_overseers_see_the_reports(name, qms, manager, administrator, operator, responsible, client):
    url = reverse(name)
    for user in (qms, manager, administrator):
        client.force_login(user)
        assert client.get(url).status_code == 200, user
    for user in (operator, responsible):
        client.force_login(user)
        assert client.get(url).status_code == 403, user
    client.logout()
    assert client.get(url).status_code == 302


def test_the_pdf_is_refused_to_others(operator, client):
    client.force_login(operator)
    assert client.get(reverse("surveys:reports_pdf")).status_code == 403


def test_the_top_bar_links_the_surveys_for_overseers_only(qms, operator):
    assert reverse("surveys:reports") in english(qms).get(reverse("complaints:list")).content.decode()
    assert reverse("surveys:reports") not in english(operator).get(reverse("complaints:list")).content.decode()


def test_the_page_shows_the_figures_of_the_period(customers, qms):
    page = english(qms).get(reverse("surveys:reports"), RANGE)
    assert page.status_code == 200
    html = page.content.decode()
    summary = page.context["summary"]
    assert (summary.responses, summary.k, summary.below_threshold) == (6, Decimal("6.89"), 4)
    assert "6.89" in html and "below the threshold of 8<" in html
    assert "40.0 %" in html and "2 of 5; norm at most 20 %" in html  # would not recommend: beyond the norm
    assert "20.0 %" in html and "1 of 5; norm at most 30 %" in html  # will not keep working: within
    assert html.count("beyond the norm") == 1 and html.count("within the norm") == 1
    assert [row.key for row in page.context["quarters"]] == ["2026-Q1", "2026-Q2"]
    assert [response.suggestion for response in page.context["suggestions"]] == [
        "Replace the batteries", "Faster delivery, please",
    ]
    assert "Old news" not in html and "Too late" not in html
    # The nav marks this page.
    assert f'href="{reverse("surveys:reports")}" aria-current="page"' in html


def test_the_priority_cell_of_the_matrix_is_highlighted(customers, qms):
    page = english(qms).get(reverse("surveys:reports"), RANGE)
    grid = page.context["grid"]
    # Reliability (importance 8.50, score 6.33) is high × medium: the top row's middle cell.
    assert [row.key for row in grid[0][1].criteria] == ["reliability"] and grid[0][1].priority
    # Handling (6.25, 8.25) medium × high; courtesy (3.75, 8.25) low × high; delivery (3.50, 7.50) low × medium.
    assert [row.key for row in grid[1][2].criteria] == ["handling"] and not grid[1][2].priority
    assert [row.key for row in grid[2][2].criteria] == ["courtesy"]
    assert [row.key for row in grid[2][1].criteria] == ["delivery"]
    html = page.content.decode()
    assert html.count('class="surveys-priority"') == 3  # two cells of the grid, one line of the table
    assert "matters most, scores worst" in html


def test_the_grid_places_criteria_by_the_bands_of_their_means():
    def row(key, score, importance):
        return CriterionRow(key, key, 1, Decimal(score), Decimal(importance), Decimal(0), Decimal(0), False)

    grid = matrix_grid([row("a", "3.99", "8.00"), row("b", "4.00", "7.99"), row("c", "10.00", "1.00")])
    assert [[[r.key for r in cell.criteria] for cell in line] for line in grid] == [
        [["a"], [], []], [[], ["b"], []], [[], [], ["c"]],
    ]
    assert [[cell.priority for cell in line] for line in grid] == [
        [True, True, False], [False, False, False], [False, False, False],
    ]
    assert (grid[0][0].importance, grid[0][0].score) == (Band.HIGH, Band.LOW)


def test_a_segment_counts_only_its_customers(customers, qms):
    page = english(qms).get(reverse("surveys:reports"), {**RANGE, "organisation_kind": OrganisationKind.STATE})
    summary = page.context["summary"]
    # B: 3 and 4 → (4.6154 + 8.2) / 2 = 6.41; 3 says no to both questions, 4 answers only the second.
    assert (summary.responses, summary.k, summary.not_recommending_share, summary.leaving_share) == (
        2, Decimal("6.41"), Decimal("100.0"), Decimal("50.0"),
    )
    assert page.context["segment_label"] == "State body or enterprise"
    region = english(qms).get(reverse("surveys:reports"), {**RANGE, "region": "Lori"}).context["summary"]
    assert (region.responses, region.k) == (2, Decimal("7.43"))


def test_an_empty_period_says_so(customers, qms):
    page = english(qms).get(reverse("surveys:reports"), {"start": "2024-01-01", "end": "2024-12-31"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "No answers in this period" in html and 'id="matrix"' not in html
    assert reverse("surveys:reports_xlsx") not in html


def test_the_default_period_is_the_last_four_whole_quarters_and_the_current_one(qms):
    page = english(qms).get(reverse("surveys:reports"))
    report = page.context["report"]
    assert report.end == timezone.localdate() and report.start.day == 1 and report.start.month in (1, 4, 7, 10)
    assert (report.end - report.start).days in range(365, 458)
    assert "No answers in this period" in page.content.decode()


def test_a_period_ending_before_it_starts_is_refused_with_a_message(customers, qms):
    page = english(qms).get(reverse("surveys:reports"), {"start": "2026-06-30", "end": "2026-01-01"})
    assert page.status_code == 200
    assert "The period ends before it starts." in page.content.decode()
    assert page.context["report"].end == timezone.localdate()  # the default period instead


def test_garbage_in_the_query_string_falls_back_to_the_default(qms):
    page = english(qms).get(reverse("surveys:reports"), {"start": "yesterday", "product": "x", "region": "Mars"})
    assert page.status_code == 200
    assert page.context["report"].segment == Segment()


def test_the_workbook_holds_the_same_figures(customers, qms):
    response = english(qms).get(reverse("surveys:reports_xlsx"), RANGE)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="surveys-2026-01-01-2026-06-30.xlsx"'
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Summary", "Criteria", "By quarter", "Suggestions"]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Responses"] == 6 and Decimal(str(summary["Satisfaction coefficient K"])) == Decimal("6.89")
    assert summary["Would not recommend us, %"] == 40.0 and summary["Will not keep working with us, %"] == 20.0
    assert summary["Customers"] == "All customers"
    criteria = list(book["Criteria"].iter_rows(min_row=2, values_only=True))
    assert criteria[0] == ("Equipment reliability", 6, 6.33, 8.5, 56.43, 3.62, "yes")
    assert [line[0] for line in criteria] == [
        "Equipment reliability", "Speed of complaint handling", "Staff courtesy", "Delivery times",
    ]
    quarters = list(book["By quarter"].iter_rows(min_row=2, values_only=True))
    assert [(line[0], line[3], line[4], line[5], line[6], line[7]) for line in quarters] == [
        ("2026-Q1", 3, 6.09, 3, 66.7, 33.3), ("2026-Q2", 3, 7.69, 1, 0.0, 0.0),
    ]
    suggestions = list(book["Suggestions"].iter_rows(min_row=2, values_only=True))
    assert [(line[1], line[3]) for line in suggestions] == [
        ("Борис Бабаян (ГУП «Ширак»)", "Replace the batteries"),
        ("Анна Акопян (ООО «Арарат»)", "Faster delivery, please"),
    ]
    assert suggestions[0][0].hour == 23  # 23:30 in the company's time zone


def test_the_workbook_of_an_empty_period_has_its_headers_only(version):
    with translation.override("en"):
        book = load_workbook(BytesIO(report_xlsx(report_context(ReportFilter(date(2024, 1, 1), date(2024, 3, 31))))))
    assert list(book["Criteria"].iter_rows(min_row=2, values_only=True)) == []
    assert [line[3] for line in book["By quarter"].iter_rows(min_row=2, values_only=True)] == [0]


@pytest.mark.usefixtures("pdftotext")
def test_the_pdf_shows_the_figures(customers, qms):
    response = english(qms).get(reverse("surveys:reports_pdf"), RANGE)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True).stdout
    text = " ".join(text.decode().split())
    for expected in ("Satisfaction surveys", "6.89", "40.0 %", "Equipment reliability", "56.43", "2026-Q2",
                     "7.69", "Replace the batteries"):
        assert expected in text, expected
    assert "Old news" not in text
