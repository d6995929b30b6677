"""The yearly statement's page, workbook and PDF, its conclusions and approval by POST, its ReportKind,
and the bad input: a year not begun, a year that is no number, a year without data."""

import subprocess
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from amends.analytics.models import YearlyStatement
from amends.analytics.report_kinds import REPORT_KINDS
from amends.analytics.yearly import yearly_figures

from .yearly_fixtures import YEAR, local, sql_grouped

PAGE = reverse("analytics:yearly")


def pdf_text(content: bytes, folder, pdftotext: str) -> str:
    """The PDF's text as poppler reads it (the `pdftotext` fixture: skipped without it, failed in CI)."""
    assert content.startswith(b"%PDF")
    path = folder / "yearly.pdf"
    path.write_bytes(content)
    return subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_page_shows_the_year_against_the_year_before(two_years, manager):
    response = client_for(manager).get(PAGE, {"year": YEAR})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Analysis of justification" in page and "Analysis of loyalty" in page and "Causes (Pareto)" in page
    assert 'data-key="received"' in page and "Exceeded" in page  # the supplier over its norm of 6
    assert 'name="conclusions"' not in page  # a manager reads, the head of the QMS writes
    assert "Not drafted yet" in page


@pytest.mark.django_db
def test_the_head_of_the_qms_writes_the_conclusions_and_approves(two_years, qms):
    client = client_for(qms)
    assert 'name="conclusions"' in client.get(PAGE, {"year": YEAR}).content.decode()
    client.post(reverse("analytics:yearly_conclusions"), {"year": YEAR, "conclusions": "Жалоб стало больше."})
    assert YearlyStatement.objects.get(year=YEAR).conclusions == "Жалоб стало больше."
    response = client.post(reverse("analytics:yearly_approve"), {"year": YEAR}, follow=True)
    statement = YearlyStatement.objects.get(year=YEAR)
    assert statement.approved_by == qms and statement.approved_at is not None
    page = response.content.decode()
    assert f"The statement for {YEAR} is approved." in page and "Approved by" in page
    assert 'name="conclusions"' not in page  # frozen
    response = client.post(reverse("analytics:yearly_conclusions"), {"year": YEAR, "conclusions": "Иначе."},
                           follow=True)
    assert "can no longer be changed" in response.content.decode()
    assert YearlyStatement.objects.get(year=YEAR).conclusions == "Жалоб стало больше."


@pytest.mark.django_db
def test_who_may_see_and_write(two_years, manager, operator, responsible):
    assert client_for(operator).get(PAGE).status_code == 403
    assert client_for(responsible).get(reverse("analytics:yearly_xlsx")).status_code == 403
    assert Client().get(PAGE).status_code == 302  # to the login
    for name in ("analytics:yearly_conclusions", "analytics:yearly_approve"):
        assert client_for(manager).post(reverse(name), {"year": YEAR, "conclusions": "x"}).status_code == 403
    assert client_for(manager).get(reverse("analytics:yearly_approve")).status_code in (403, 405)
    assert not YearlyStatement.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("year", "message"), [
    ("2999", "The year 2999 has not begun yet."), ("abc", "Enter a whole number."),
    ("1990", "Ensure this value is greater than or equal to 2000."),
])
def test_a_year_asked_for_wrongly_is_said_not_drawn(manager, year, message):
    response = client_for(manager).get(PAGE, {"year": year})
    page = response.content.decode()
    assert response.status_code == 200 and message in page and "yearly-section" not in page
    download = client_for(manager).get(reverse("analytics:yearly_xlsx"), {"year": year}, follow=True)
    assert message in download.content.decode()


@pytest.mark.django_db
def test_a_year_without_data_says_so_on_the_page_in_the_workbook_and_the_pdf(manager, tmp_path, pdftotext):
    page = client_for(manager).get(PAGE, {"year": 2012}).content.decode()
    assert "No complaints were counted in 2012." in page and "yearly-section" not in page
    content = client_for(manager).get(reverse("analytics:yearly_xlsx"), {"year": 2012}).content
    book = load_workbook(BytesIO(content))
    assert book.sheetnames == ["Statement"]
    assert "No complaints were counted in 2012." in [row[1] for row in book["Statement"].iter_rows(values_only=True)]
    assert "No complaints were counted in 2012." in pdf_text(
        client_for(manager).get(reverse("analytics:yearly_pdf"), {"year": 2012}).content, tmp_path, pdftotext)


@pytest.mark.django_db
def test_the_workbook_holds_real_numbers_the_period_and_a_filter_on_every_sheet(two_years, manager):
    response = client_for(manager).get(reverse("analytics:yearly_xlsx"), {"year": YEAR})
    assert response["Content-Disposition"] == f'attachment; filename="amends-yearly-{YEAR}.xlsx"'
    book = load_workbook(BytesIO(response.content))
    first = book.worksheets[0]
    lines = {row[0]: row[1] for row in first.iter_rows(min_row=2, values_only=True)}
    assert lines["Year"] == YEAR and lines["From"].date().isoformat() == f"{YEAR}-01-01"
    assert lines["To (inclusive)"].date().isoformat() == f"{YEAR}-12-31"
    for sheet in book.worksheets:
        assert sheet.auto_filter.ref == sheet.dimensions and sheet["A1"].font.bold
    received = {row[0]: row[1:4] for row in book["Complaints received"].iter_rows(min_row=2, values_only=True)}
    channels = sql_grouped("channel", YEAR)
    assert received["Complaints and claims received"] == (sum(channels.values()), 6, sum(channels.values()) - 6)
    assert received["E-mail"][0] == channels["email"]
    causes = list(book["Causes"].iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in causes] == [7, 4, 3, 2] and causes[-1][4] == 100.0
    norms = {row[0]: row for row in book["Norms"].iter_rows(
        min_row=2, values_only=True)}
    assert norms["AKB-Snab"][1:] == (7, 5, 2, 6)


@pytest.mark.django_db
def test_the_pdf_has_the_figures_and_the_approval(two_years, qms, tmp_path, pdftotext):
    statement = YearlyStatement.objects.create(year=YEAR, conclusions="Поставщик АКБ превысил норму.",
                                               approved_by=qms, approved_at=timezone.now())
    response = client_for(qms).get(reverse("analytics:yearly_pdf"), {"year": YEAR})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path, pdftotext)
    assert f"Yearly statement of complaint analysis {YEAR}" in text and "Analysis of loyalty" in text
    assert statement.conclusions in text and "Approved by" in text


@pytest.mark.django_db
def test_the_report_kind_sends_the_year_just_over(two_years, manager):
    kind = REPORT_KINDS["yearly"]
    figures = kind.scheduled(manager, local(YEAR + 1, 1, 16, 8))
    assert figures is not None and figures.year == YEAR and kind.cadence == "yearly"
    assert kind.filename(figures) == f"amends-yearly-{YEAR}"
    assert kind.url(figures).endswith(f"/analytics/yearly/?year={YEAR}")
    assert kind.xlsx(figures).startswith(b"PK")
    assert kind.scheduled(manager, local(2013, 1, 16, 8)) is None  # 2012 had no complaint
    assert yearly_figures(manager, 2012).empty
