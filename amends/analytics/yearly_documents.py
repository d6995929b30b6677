"""The yearly statement as a workbook (the weekly report's sheet helpers: real numbers and dates, a
bold header row with a filter, the period and the approval on the first sheet, a sheet per section)
and as a PDF (WeasyPrint, through answers' documents), and its ReportKind for the schedule."""

from datetime import datetime
from io import BytesIO

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from amends.accounts.models import User
from amends.answers.documents import html_pdf
from amends.core.dates import excel_number_format
from amends.core.links import absolute_url
from amends.reports.xlsx import add_sheet, excel_time

from .report_kinds import ReportKind, register_report_kind
from .statements import statement_url
from .yearly import Section, YearlyFigures, yearly_figures

NUMBER_FORMATS = {"%": "0.0", "h": "0.0", "mean": "0.0", "K": "0.00"}
# A sheet's name holds 31 characters: each section's sheet has a short one.
SHEET_NAMES = {
    "received": gettext_lazy("Complaints received"), "justification": gettext_lazy("Justification"),
    "loyalty": gettext_lazy("Loyalty"), "satisfaction": gettext_lazy("Satisfaction"),
    "timeliness": gettext_lazy("Timeliness"), "causes": gettext_lazy("Causes"), "norms": gettext_lazy("Norms"),
    "capa": gettext_lazy("Corrective actions"), "surveys": gettext_lazy("Surveys"),
}


def empty_message(figures: YearlyFigures) -> str:
    return _("No complaints were counted in %(year)s.") % {"year": figures.year}


def _filtered(sheet: Worksheet) -> Worksheet:
    sheet.auto_filter.ref = sheet.dimensions
    return sheet


def _statement_lines(figures: YearlyFigures) -> list[tuple]:
    statement = figures.statement
    lines: list[tuple] = [
        (_("Year"), figures.year),
        (_("From"), figures.start),
        (_("To (inclusive)"), figures.end),
        (_("Compared with"), figures.year - 1),
        (_("Version"), figures.version_note),
    ]
    if figures.empty:
        lines.append((_("Figures"), empty_message(figures)))
    if statement is not None:
        lines.append((_("Drafted at"), excel_time(statement.drafted_at)))
        lines.append((_("Conclusions"), statement.conclusions or _("Not written yet.")))
        if statement.approved:
            lines.append((_("Approved by"), str(statement.approved_by)))
            lines.append((_("Approved at"), excel_time(statement.approved_at)))  # type: ignore[arg-type]
        else:
            lines.append((_("Approval"), _("Not approved yet.")))
    lines.append((_("Not counted"), _("Duplicates, withdrawn cards, objections and other requests are not counted.")))
    lines += [(str(section.title), section.link) for section in figures.sections if section.link]
    return lines


def _section_sheet(book: Workbook, figures: YearlyFigures, section: Section) -> None:
    extra = {"norm": [(_("Norm"), 10)], "cumulative": [(_("Cumulative, %"), 14)]}.get(section.extra, [])
    change = pgettext("yearly statement", "Change")
    columns = [(_("Figure"), 48), (str(figures.year), 12), (str(figures.year - 1), 12), (change, 12), *extra]
    rows: list[list] = [] if section.rows else [[str(section.note)]]  # a section with nothing says why
    for row in section.rows:
        line = [str(row.label), row.current, row.previous, row.change]
        if section.extra == "norm":
            line.append(row.norm)
        elif section.extra == "cumulative":
            line.append(row.cumulative)
        rows.append(line)
    sheet = _filtered(add_sheet(book, str(SHEET_NAMES.get(section.key, section.title)), columns, rows))
    for index, row in enumerate(section.rows, start=2):
        if row.unit in NUMBER_FORMATS:
            for column in "BCD":
                sheet[f"{column}{index}"].number_format = NUMBER_FORMATS[row.unit]
        if section.extra == "cumulative":
            sheet[f"E{index}"].number_format = NUMBER_FORMATS["%"]


def yearly_statement_xlsx(figures: YearlyFigures) -> bytes:
    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet a new workbook starts with
    book.properties.title = _("Statement of complaint analysis for %(year)s") % {"year": figures.year}
    columns = [(_("Item"), 28), (pgettext("yearly statement", "Value"), 60)]
    first = _filtered(add_sheet(book, _("Statement"), columns, _statement_lines(figures)))
    dates = excel_number_format("SHORT_DATE_FORMAT")
    moments = excel_number_format("SHORT_DATETIME_FORMAT")
    for (cell,) in first.iter_rows(min_row=2, min_col=2, max_col=2):
        if isinstance(cell.value, datetime):
            cell.number_format = moments
        elif hasattr(cell.value, "isoformat"):
            cell.number_format = dates
        elif isinstance(cell.value, str) and cell.value.startswith(("http://", "https://")):
            cell.hyperlink = cell.value  # a section's page (the surveys' reports)
    if not figures.empty:
        for section in figures.sections:
            _section_sheet(book, figures, section)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def yearly_statement_pdf(figures: YearlyFigures) -> bytes:
    return html_pdf(
        render_to_string("analytics/yearly/pdf.html", {"figures": figures, "statement": figures.statement}),
        layout=render_to_string("analytics/yearly/pdf.css"),
    )


def yearly_filename(figures: YearlyFigures) -> str:
    return f"amends-yearly-{figures.year}"


def yearly_scheduled(user: User, now: datetime) -> YearlyFigures | None:
    """The year just over; nothing to send for a year without a counted card."""
    figures = yearly_figures(user, timezone.localdate(now).year - 1)
    return None if figures.empty else figures


def register() -> None:
    register_report_kind(ReportKind(
        key="yearly", title=gettext_lazy("Yearly statement of complaint analysis"), cadence="yearly",
        scheduled=yearly_scheduled, xlsx=yearly_statement_xlsx, pdf=yearly_statement_pdf,
        filename=yearly_filename, url=lambda figures: absolute_url(statement_url(figures.year)),
    ))
