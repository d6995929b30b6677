"""An approved yearly statement is frozen: its figures are kept at approval, and the page, the workbook,
the PDF and the scheduled mail show them, saying so with the date, while a card classified later
changes only a draft's figures."""

from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from amends.analytics.models import YearlyStatement
from amends.analytics.report_kinds import REPORT_KINDS
from amends.analytics.statements import statement_approve, statement_conclusions_set
from amends.analytics.tests.test_yearly_views import pdf_text
from amends.analytics.yearly import yearly_figures
from amends.complaints.choices import Justification
from amends.complaints.models import Complaint

from .yearly_fixtures import YEAR, local, sql_grouped

APPROVED_ON = local(YEAR + 1, 1, 12, 10)


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client





def justification_rows(figures) -> dict:
    section = next(section for section in figures.sections if section.key == "justification")
    return {row.key: row.current for row in section.rows}


def shown(figures) -> list:
    return [(section.key, str(section.title), str(section.note), section.extra,
             [(str(row.label), row.current, row.previous, row.unit, row.norm, row.cumulative, row.key)
              for row in section.rows]) for section in figures.sections]


def classify_an_undecided_card() -> None:
    """A card of the year decided after the approval: SQL counts it justified from now on."""
    undecided = Complaint.objects.filter(received_at=local(YEAR, 1, 1, 0, 30)).get()
    Complaint.objects.filter(pk=undecided.pk).update(justification=Justification.JUSTIFIED)


@pytest.fixture
def approved(two_years, qms):
    statement_conclusions_set(actor=qms, year=YEAR, conclusions="Поставщик АКБ превысил норму.")
    with translation.override("en"):
        live = shown(yearly_figures(qms, YEAR))
    at_approval = sql_grouped("justification", YEAR)
    statement_approve(actor=qms, year=YEAR, now=APPROVED_ON)
    classify_an_undecided_card()
    now = sql_grouped("justification", YEAR)
    assert now["justified"] == at_approval["justified"] + 1  # the cards did change since
    return {"live": live, "justified": at_approval["justified"], "undecided": at_approval[""]}


@pytest.mark.django_db
def test_the_approved_figures_are_those_computed_at_approval(approved, manager):
    with translation.override("en"):
        figures = yearly_figures(manager, YEAR)
        assert figures.frozen and shown(figures) == approved["live"]
        rows = justification_rows(figures)
        assert (rows["justified"], rows["none"]) == (approved["justified"], approved["undecided"])
        assert figures.version_note.startswith("The approved version of 12 Jan 2026")


@pytest.mark.django_db
def test_a_draft_shows_the_figures_of_now(two_years, qms, manager):
    statement_conclusions_set(actor=qms, year=YEAR, conclusions="Черновик.")
    before = justification_rows(yearly_figures(manager, YEAR))["justified"]
    classify_an_undecided_card()
    figures = yearly_figures(manager, YEAR)
    assert not figures.frozen and not YearlyStatement.objects.get(year=YEAR).figures
    assert justification_rows(figures)["justified"] == before + 1 == sql_grouped("justification", YEAR)["justified"]
    with translation.override("en"):
        assert figures.version_note.startswith("The figures as of now")


@pytest.mark.django_db
def test_the_page_workbook_and_pdf_show_the_approved_version_with_its_date(approved, manager, tmp_path, pdftotext):
    client = client_for(manager)
    page = client.get(reverse("analytics:yearly"), {"year": YEAR}).content.decode()
    assert "The approved version of 12 Jan 2026" in page
    book = load_workbook(BytesIO(client.get(reverse("analytics:yearly_xlsx"), {"year": YEAR}).content))
    lines = {row[0]: row[1] for row in book["Statement"].iter_rows(min_row=2, values_only=True)}
    assert lines["Version"].startswith("The approved version of 12 Jan 2026")
    justification = {row[0]: row[1] for row in book["Justification"].iter_rows(min_row=2, values_only=True)}
    assert justification["Justified"] == approved["justified"]
    text = pdf_text(client.get(reverse("analytics:yearly_pdf"), {"year": YEAR}).content, tmp_path, pdftotext)
    assert "The approved version of 12 Jan 2026" in text


@pytest.mark.django_db
def test_the_scheduled_mail_sends_the_approved_figures(approved, manager):
    with translation.override("en"):
        figures = REPORT_KINDS["yearly"].scheduled(manager, local(YEAR + 1, 1, 16, 8))
        assert figures is not None and figures.frozen
        assert justification_rows(figures)["justified"] == approved["justified"]


@pytest.mark.django_db
def test_the_kept_figures_read_in_each_language(approved, manager):
    titles = {}
    for language in ("en", "ru", "hy"):
        with translation.override(language):
            titles[language] = yearly_figures(manager, YEAR).sections[0].title
    assert titles["en"] == "Complaints received"
    assert len(set(titles.values())) == 3  # each in its own words, not the approver's language
