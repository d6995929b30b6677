"""A scorecard's chart, workbook and PDF: an SVG that parses, real numbers, dates and links in the
workbook, a real PDF with the supplier's figures."""

import subprocess
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from amends.answers.choices import CompensationKind, GrantStatus
from amends.answers.models import CompensationGrant, CompensationOption
from amends.capa.charts import Bar, bar_chart
from amends.capa.choices import PeriodKind
from amends.capa.scorecard import supplier_scorecard
from amends.capa.scorecard_documents import scorecard_chart, scorecard_pdf
from amends.capa.spreadsheets import scorecard_xlsx

SVG = "{http://www.w3.org/2000/svg}"
NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def scorecard(classified, supplier, component, supplier_cause, qms):
    cards = [classified(cause=supplier_cause, component=component, received_at=NOW.replace(month=m)) for m in (3, 4)]
    classified(cause=supplier_cause, component=component, received_at=NOW.replace(year=2024))
    option = CompensationOption.objects.create(kind=CompensationKind.VOUCHER, name="Сертификат", cost=500)
    CompensationGrant.objects.create(
        complaint=cards[0], option=option, value=Decimal("1500.00"), method="перевод", due_date=date(2026, 12, 1),
        status=GrantStatus.APPROVED, granted_by=qms, decided_at=NOW,
    )
    return supplier_scorecard(supplier, now=NOW)


def test_the_chart_escapes_its_text_and_draws_the_norm():
    svg = bar_chart([Bar("<b>&", 3, "over"), Bar("2026", 1, "within")], norm=2, title='A "title" <x>',
                    x_label="Period", y_label="Complaints", norm_label="norm 2")
    root = ElementTree.fromstring(svg)
    assert root.get("role") == "img" and root.find(f"{SVG}title").text == 'A "title" <x>'
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<b>&" in texts and "norm 2" in texts and "Period" in texts and "Complaints" in texts
    assert len(root.findall(f"{SVG}rect")) == 2
    assert "<script" not in svg and "style=" not in svg


@pytest.mark.django_db
def test_the_scorecards_chart_has_a_bar_per_period(scorecard):
    root = ElementTree.fromstring(scorecard_chart(scorecard))
    bars = root.findall(f"{SVG}rect")
    assert [bar.find(f"{SVG}title").text for bar in bars] == [
        "2022: 0", "2023: 0", "2024: 1", "2025: 0", "2026: 2",
    ]
    assert root.get("viewBox") and root.get("width") is None  # scales to its box, 390 px wide too


@pytest.mark.django_db
def test_the_workbook_has_numbers_dates_links_and_filters(scorecard, supplier):
    with translation.override("en"):
        book = load_workbook(BytesIO(scorecard_xlsx(scorecard)))
    assert book.sheetnames[0] == "Scorecard"
    summary = {row[0].value: row[1].value for row in book["Scorecard"].iter_rows(min_row=2)}
    assert summary["Period"] == "2026" and summary["From"] == datetime(2026, 1, 1)
    assert summary["Complaints"] == 2 and summary["Counted in the norm"] == 2 and summary["Norm"] == 6
    assert summary["Justified share, %"] == 100  # a number, not "100 %"
    for sheet in book.worksheets:
        assert sheet.auto_filter.ref, sheet.title
        assert all(cell.font.bold for cell in sheet[1])
    complaints = book["Complaints"]
    numbers = [row[0] for row in complaints.iter_rows(min_row=2)]
    assert len(numbers) == 2
    assert all(cell.hyperlink.target.endswith(f"/complaints/{cell.value}/") for cell in numbers)
    assert isinstance(complaints["B2"].value, datetime) and complaints["F2"].value is True
    grants = book["Compensation"]
    assert grants["C2"].value == 1500 and grants["A2"].hyperlink is not None
    history = [(row[0].value, row[2].value) for row in book["Over time"].iter_rows(min_row=2)]
    assert history[-1] == ("2026", 2) and len(history) == 5


@pytest.mark.django_db
@pytest.mark.usefixtures("pdftotext")
def test_the_pdf_is_a_pdf_with_the_suppliers_figures(scorecard, supplier, tmp_path):
    with translation.override("en"):
        content = scorecard_pdf(scorecard)
    assert content.startswith(b"%PDF")
    path = tmp_path / "scorecard.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "AKB-Snab" in text and "Supplier scorecard" in text
    assert "2 of 6 allowed" in text and "1500" in text.replace(",", "").replace(" ", "")
    assert "norm 6" in text  # the chart's norm line, drawn in the PDF


@pytest.mark.django_db
def test_the_downloads_carry_the_period_chosen(qms, scorecard, supplier):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(qms)
    response = client.get(reverse("capa:supplier_xlsx", args=[supplier.pk]), {"kind": PeriodKind.MONTH})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert len(list(load_workbook(BytesIO(response.content))["Over time"].iter_rows(min_row=2))) == 12
    pdf = client.get(reverse("capa:supplier_pdf", args=[supplier.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"


def test_the_norms_label_has_a_halo_to_read_over_a_bar():
    """The label sits at the right end of the norm's line, where the latest bar often is (the demo's)."""
    svg = bar_chart([Bar("2026", 10, "over")], norm=6, title="t", x_label="x", y_label="y", norm_label="norm 6")
    label = next(t for t in ElementTree.fromstring(svg).iter(f"{SVG}text") if t.text == "norm 6")
    assert (label.get("paint-order"), label.get("stroke")) == ("stroke", "#fff")
