"""The surveys in the analysis: the satisfaction dashboard's charts, the K chart on the outcomes
dashboard and the yearly statement's surveys section, against values worked out by hand here.

The answers (threshold 8; criteria R reliability, D delivery; (score, importance)):

    #  customer  answered (Moscow)    R      D      Σimp  Σs×i  K       recommends continues  how    product
    1  A         2026-01-10 12:00     9,10   7,8    18    146   8.1111  yes        yes        paper  Battery
    2  B         2026-02-20 12:00     4,10   8,5    15    80    5.3333  no         yes        e-mail
    3  A         2026-03-31 23:30     3,10   10,1   11    40    3.6364  no         no         phone  (suggestion)
    4  B         2026-04-01 00:30     8,8    9,2    10    82    8.2     yes        -          paper
  outside the dashboards' period 2026-01-01..2026-06-30:
    5  A         2025-12-31 12:00     1,10   1,10   20    20    1       no         no         paper  (suggestion)
    6  B         2026-07-01 00:10     10,10  -      10    100   10      -          -          fax

Q1 (1-3): K = (8.1111 + 5.3333 + 3.6364) / 3 = 5.6936 → 5.69; not recommending 2 of 3 = 66.7 %, leaving
1 of 3 = 33.3 % (both beyond the norms). Q2 (4): K 8.20, not recommending 0 of 1 = 0.0 %, leaving not asked.
Criteria of 1-4: R score (9+4+3+8)/4 = 6.00, importance 38/4 = 9.50 (a priority); D score 34/4 = 8.50,
importance 16/4 = 4.00. By how they came: paper 2, e-mail 1, phone 1, link 0, fax 0.
The year 2026 (1-4 and 6): K = 35.2808 / 5 = 7.06, 2 below 8, not recommending 2 of 4 = 50.0 %, leaving 1 of 3
= 33.3 %, R (priority) score 34/5 = 6.80 (importance 48/5 = 9.6), 1 suggestion; 2025 (5): K 1.00, 1 below,
100.0 % and 100.0 %, R's score 1.00, 1 suggestion.
"""

from datetime import date, datetime
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from amends.accounts.models import Department
from amends.analytics.charts import CHARTS
from amends.analytics.dashboards import DASHBOARDS, dashboard_charts
from amends.analytics.filters import AnalyticsFilter
from amends.analytics.statements import statement_approve, statement_conclusions_set
from amends.analytics.yearly import surveys_section, yearly_figures
from amends.customers.models import Product
from amends.customers.services import contact_create
from amends.surveys.choices import ResponseSource
from amends.surveys.models import Criterion, Questionnaire, QuestionnaireVersion
from amends.surveys.recording import response_record
from amends.surveys.scoring import Rating

pytestmark = pytest.mark.django_db

PERIOD = AnalyticsFilter(start=date(2026, 1, 1), end=date(2026, 6, 30))
KEYS = {"R": "reliability", "D": "delivery"}


def moscow(*parts: int) -> datetime:
    return timezone.make_aware(datetime(*parts))


@pytest.fixture
def version(db) -> QuestionnaireVersion:
    questionnaire = Questionnaire.objects.create(name="Удовлетворённость", name_en="Satisfaction")
    version = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1, published_at=timezone.now())
    Criterion.objects.create(version=version, key="reliability", name="Надёжность", name_en="Reliability", order=0)
    Criterion.objects.create(version=version, key="delivery", name="Сроки поставки", name_en="Delivery times", order=1)
    return version


def answer(version, customer, when, ratings, source, recommends=None, continues=None, suggestion="", complaint=None):
    criteria = {criterion.key: criterion.pk for criterion in version.criteria.all()}
    return response_record(
        version=version, contact=customer, source=source, language="ru", received_at=when,
        ratings={criteria[KEYS[letter]]: Rating(*pair) for letter, pair in ratings.items()},
        recommends=recommends, continues=continues, suggestion=suggestion, complaint=complaint,
    )


@pytest.fixture
def battery(complaint) -> Product:
    product = Product.objects.create(name="Аккумулятор", name_en="Battery")
    complaint.product = product
    complaint.save(update_fields=["product"])
    return product


@pytest.fixture
def answers(version, complaint, battery):
    a = contact_create(full_name="Анна Акопян")
    b = contact_create(full_name="Борис Бабаян")
    paper, email, phone, fax = ResponseSource.PAPER, ResponseSource.EMAIL, ResponseSource.PHONE, ResponseSource.FAX
    answer(version, a, moscow(2026, 1, 10, 12), {"R": (9, 10), "D": (7, 8)}, paper, True, True, complaint=complaint)
    answer(version, b, moscow(2026, 2, 20, 12), {"R": (4, 10), "D": (8, 5)}, email, False, True)
    answer(version, a, moscow(2026, 3, 31, 23, 30), {"R": (3, 10), "D": (10, 1)}, phone, False, False,
           suggestion="Возите быстрее")
    answer(version, b, moscow(2026, 4, 1, 0, 30), {"R": (8, 8), "D": (9, 2)}, paper, True, None)
    answer(version, a, moscow(2025, 12, 31, 12), {"R": (1, 10), "D": (1, 10)}, paper, False, False,
           suggestion="Всё плохо")
    answer(version, b, moscow(2026, 7, 1, 0, 10), {"R": (10, 10)}, fax)


def values(chart, series: str) -> dict:
    return {point.key: point.values[series] for point in chart.points}


def test_k_by_quarter_against_the_threshold(answers, qms):
    chart = CHARTS["survey_k_by_quarter"].compute(qms, PERIOD)
    assert values(chart, "k") == {"2026-Q1": 5.69, "2026-Q2": 8.2}
    assert values(chart, "responses") == {"2026-Q1": 3, "2026-Q2": 1}
    assert chart.mark == 8.0 and chart.kind == "lines"
    with translation.override("en"):
        note = str(CHARTS["survey_k_by_quarter"].compute(qms, PERIOD).note)
    assert "Below the threshold: 2026-Q1." in note and "Q2." not in note


def test_the_loyalty_shares_by_quarter_against_the_norms(answers, qms):
    chart = CHARTS["survey_loyalty_by_quarter"].compute(qms, PERIOD)
    assert values(chart, "not_recommending_pct") == {"2026-Q1": 66.7, "2026-Q2": 0.0}
    assert values(chart, "leaving_pct") == {"2026-Q1": 33.3, "2026-Q2": None}
    assert values(chart, "not_recommending_norm") == {"2026-Q1": 20, "2026-Q2": 20}
    assert values(chart, "leaving_norm") == {"2026-Q1": 30, "2026-Q2": 30}
    with translation.override("en"):
        note = CHARTS["survey_loyalty_by_quarter"].compute(qms, PERIOD).note
    assert "2026-Q1: beyond the norm of not recommending us." in note
    assert "2026-Q1: beyond the norm of leaving." in note and "2026-Q2" not in note


def test_the_criteria_with_the_priority_one_named(answers, qms):
    with translation.override("en"):
        chart = CHARTS["survey_criteria"].compute(qms, PERIOD)
    assert [(p.key, str(p.label), p.values) for p in chart.points] == [
        ("reliability", "Reliability", {"score": 6.0, "importance": 9.5}),
        ("delivery", "Delivery times", {"score": 8.5, "importance": 4.0}),
    ]
    assert "Priority (important and scored below the threshold): Reliability." in chart.note


def test_answers_by_how_they_came(answers, qms):
    chart = CHARTS["survey_responses_by_source"].compute(qms, PERIOD)
    assert values(chart, "responses") == {"link": 0, "paper": 2, "fax": 0, "phone": 1, "email": 1}


def test_the_product_filter_keeps_the_answers_that_followed_its_cards(answers, battery, qms):
    filters = AnalyticsFilter(start=PERIOD.start, end=PERIOD.end, product=battery.pk)
    assert values(CHARTS["survey_k_by_quarter"].compute(qms, filters), "k") == {"2026-Q1": 8.11, "2026-Q2": None}
    assert values(CHARTS["survey_responses_by_source"].compute(qms, filters), "responses")["paper"] == 1


def test_filters_of_cards_do_not_apply_and_the_note_says_so(answers, qms):
    department = Department.objects.create(name="Отдел продаж")
    filters = AnalyticsFilter(start=PERIOD.start, end=PERIOD.end, department=department.pk)
    with translation.override("en"):
        chart = CHARTS["survey_k_by_quarter"].compute(qms, filters)
        plain = CHARTS["survey_k_by_quarter"].compute(qms, PERIOD)
    assert chart.points == plain.points
    assert "do not apply to them" in chart.note and "do not apply" not in plain.note


def test_no_answers_at_all_says_so_on_the_dashboard(qms, client):
    for key in DASHBOARDS["satisfaction"].charts:
        assert CHARTS[key].compute(qms, PERIOD).empty, key
    client.force_login(qms)
    page = client.get(reverse("analytics:board", args=["satisfaction"]), {"start": "2026-01-01", "end": "2026-06-30"},
                      HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert page.content.decode().count("No survey answers match this period and product.") == 4
    assert b"No complaints match" not in page.content


def test_the_dashboards_show_the_survey_charts(answers, qms, client):
    assert DASHBOARDS["satisfaction"].charts == (
        "survey_k_by_quarter", "survey_loyalty_by_quarter", "survey_criteria", "survey_responses_by_source")
    assert "survey_k_by_quarter" in DASHBOARDS["outcomes"].charts
    charts = dashboard_charts(qms, DASHBOARDS["satisfaction"], PERIOD)
    assert [chart.key for chart in charts] == list(DASHBOARDS["satisfaction"].charts)
    client.force_login(qms)
    query = {"start": "2026-01-01", "end": "2026-06-30"}
    for key in ("satisfaction", "outcomes"):
        page = client.get(reverse("analytics:board", args=[key]), query, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200 and b'id="chart-survey_k_by_quarter"' in page.content, key
    book = load_workbook(BytesIO(client.get(reverse("analytics:board_xlsx", args=["satisfaction"]), query).content))
    sheet = book.worksheets[1]
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)] == [
        ["2026-Q1", 5.69, 3], ["2026-Q2", 8.2, 1]]
    pdf = client.get(reverse("analytics:board_pdf", args=["satisfaction"]), query)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_api_lists_the_satisfaction_dashboard_and_its_figures(answers, qms):
    from rest_framework.test import APIClient

    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(qms)
    boards = api.get("/api/v1/analytics/dashboards/").json()
    assert {"key": "satisfaction", "title": "Satisfaction and loyalty (surveys)",
            "charts": list(DASHBOARDS["satisfaction"].charts)} in boards
    body = api.get("/api/v1/analytics/dashboards/satisfaction/", {"start": "2026-01-01", "end": "2026-06-30"}).json()
    k = body["charts"][0]
    assert k["key"] == "survey_k_by_quarter" and k["mark"] == 8.0 and not k["empty"]
    points = [(p["key"], p["values"]["k"], p["cards"]) for p in k["points"]]
    assert points == [("2026-Q1", 5.69, {}), ("2026-Q2", 8.2, {})]
    empty = api.get("/api/v1/analytics/dashboards/satisfaction/", {"start": "2020-01-01", "end": "2020-12-31"}).json()
    assert {chart["message"] for chart in empty["charts"]} == {"No survey answers match this period and product."}


def section_rows(section) -> dict:
    return {row.key: (row.current, row.previous) for row in section.rows}


def test_the_yearly_statement_surveys_section(answers, qms):
    with translation.override("en"):
        section = surveys_section(2026)
    assert section_rows(section) == {
        "responses": (5, 1), "k": (7.06, 1.0), "below": (2, 1), "not_recommending": (50.0, 100.0),
        "leaving": (33.3, 100.0), "criterion:reliability": (6.8, 1.0), "suggestions": (1, 1),
    }
    shares = {row.key: (row.norm, row.exceeded) for row in section.rows if row.unit == "%"}
    assert shares == {"not_recommending": (20, True), "leaving": (30, True)}
    assert section.link.endswith(reverse("surveys:reports") + "?start=2026-01-01&end=2026-12-31")
    assert "Priority criterion: Reliability, mean score" in [str(row.label) for row in section.rows]


def test_a_year_without_survey_answers_says_so(qms, complaint):
    with translation.override("en"):
        section = surveys_section(2026)
    assert section.rows == [] and section.note == "No survey answers were recorded in 2026 or 2025."
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(qms)
    page = client.get(reverse("analytics:yearly"), {"year": timezone.localdate(complaint.received_at).year})
    assert page.status_code == 200 and b"No survey answers were recorded in" in page.content


def test_the_surveys_section_is_frozen_at_approval_in_page_workbook_and_pdf(answers, version, qms, complaint):
    from amends.analytics.models import YearlyStatement

    YearlyStatement.objects.filter(year=2026).delete()
    type(complaint).objects.filter(pk=complaint.pk).update(received_at=moscow(2026, 5, 1, 12))
    statement_conclusions_set(actor=qms, year=2026, conclusions="Надёжность тянет K вниз.")
    statement_approve(actor=qms, year=2026, now=moscow(2027, 1, 12, 10))
    late = contact_create(full_name="Поздний Ответ")
    answer(version, late, moscow(2026, 11, 1, 12), {"R": (10, 10), "D": (10, 10)}, ResponseSource.PAPER, True, True,
           suggestion="Спасибо")
    with translation.override("en"):
        figures = yearly_figures(qms, 2026)
    section = next(one for one in figures.sections if one.key == "surveys")
    assert figures.frozen and section_rows(section)["responses"] == (5, 1)
    assert section_rows(section)["suggestions"] == (1, 1)
    assert section_rows(surveys_section(2026))["responses"] == (6, 1)  # a draft would count it
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(qms)
    page = client.get(reverse("analytics:yearly"), {"year": 2026}).content.decode()
    assert 'id="yearly-surveys"' in page and "reports for this year</a>" in page
    book = load_workbook(BytesIO(client.get(reverse("analytics:yearly_xlsx"), {"year": 2026}).content))
    sheet = book["Surveys"]
    rows = {row[0]: row[1:3] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Survey answers"] == (5, 1) and rows["Mean satisfaction coefficient K"] == (7.06, 1)
    assert sheet["B3"].number_format == "0.00"
    links = [cell.hyperlink.target for cell in book["Statement"]["B"] if cell.hyperlink]
    assert any(link.endswith("?start=2026-01-01&end=2026-12-31") for link in links)
    pdf = client.get(reverse("analytics:yearly_pdf"), {"year": 2026})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
