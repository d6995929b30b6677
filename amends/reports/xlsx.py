"""The weekly summary as an Excel workbook: one sheet per section, in the current language."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from io import BytesIO

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from amends.answers.compensation import compensation_granted
from amends.answers.money import currency
from amends.complaints.models import Complaint
from amends.core.dates import excel_number_format
from amends.core.links import absolute_url

from .selectors import OverdueLine, WeeklySummary
from .weeks import WEEK, company_zone, day_start

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DAYS_FORMAT = "0.0"
MONEY_FORMAT = "#,##0.00"
# Characters Excel refuses in a sheet's name, and its length limit.
SHEET_NAME_FORBIDDEN = str.maketrans("", "", "[]:*?/\\")
SHEET_NAME_MAX = 31


def excel_time(moment: datetime) -> datetime:
    """Excel knows no time zones: the wall-clock time in the company's zone."""
    return timezone.localtime(moment, company_zone()).replace(tzinfo=None)


def days(duration: timedelta) -> float:
    return round(duration.total_seconds() / 86400, 1)


def card_url(complaint: Complaint, request: HttpRequest | None = None) -> str:
    return absolute_url(reverse("complaints:detail", args=[complaint.number]), request)


def add_sheet(book: Workbook, title: str, columns: Sequence[tuple[str, int]], rows: Iterable[Sequence]) -> Worksheet:
    """A sheet with a bold, frozen header row; `columns` are (heading, width in characters)."""
    sheet = book.create_sheet(title.translate(SHEET_NAME_FORBIDDEN)[:SHEET_NAME_MAX])
    sheet.append([heading for heading, _width in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, (_heading, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append(list(row))
    return sheet


def format_column(sheet: Worksheet, column: int, number_format: str) -> None:
    for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
        cell.number_format = number_format


def format_moments(sheet: Worksheet, column: int) -> None:
    """Dates and times in the language's one format (config/formats), as on the pages."""
    date_format, datetime_format = excel_number_format("SHORT_DATE_FORMAT"), excel_number_format()
    for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
        cell.number_format = datetime_format if isinstance(cell.value, datetime) else date_format


def due(line: OverdueLine) -> date | datetime:
    """A measure is due on a day (to its end), a clock at a time."""
    return line.measure.due_date if line.measure is not None else excel_time(line.due_at)


def link_numbers(sheet: Worksheet, complaints: Iterable[Complaint], request: HttpRequest | None) -> None:
    for row, complaint in enumerate(complaints, start=2):
        sheet.cell(row=row, column=1).hyperlink = card_url(complaint, request)


def weekly_summary_xlsx(summary: WeeklySummary, request: HttpRequest | None = None) -> bytes:
    """The workbook; its card links on the request's host when downloaded and AMENDS_BASE_URL is unset."""
    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet a new workbook starts with
    book.properties.title = _("Weekly deadline control %(week)s") % {"week": summary.label}
    not_assigned = _("not assigned")

    add_sheet(book, _("By channel"), [(_("Channel"), 24), (_("Complaints"), 12)], [
        *[(str(row.label), row.count) for row in summary.by_channel],
        (_("Total"), summary.received),
    ])
    add_sheet(book, _("By category"), [(_("Category"), 40), (_("Complaints"), 12)], [
        (str(row.label), row.count) for row in summary.by_category
    ])
    add_sheet(book, _("Not counted"), [(_("Received, left out of every figure"), 40), (_("Cards"), 12)], [
        (str(row.label), row.count) for row in summary.set_aside
    ])
    add_sheet(book, _("Deadlines"), [
        (_("Clock"), 30), (_("Met on time"), 14), (_("Met late"), 12), (_("Share on time, %"), 16),
        (_("Overdue now"), 14), (_("Met by registration"), 20),
    ], [
        (str(row.label), row.on_time, row.late, row.percent_on_time, row.overdue, row.by_registration)
        for row in summary.clocks
    ])

    overdue = add_sheet(book, _("Overdue"), [
        (_("Card No."), 14), (_("Responsible"), 28), (_("Clock"), 40), (_("Due"), 18), (_("Late, days"), 12),
    ], [
        (line.complaint.number, str(line.complaint.responsible or not_assigned), str(line.label),
         due(line), days(line.late_by))
        for line in summary.overdue
    ])
    format_moments(overdue, 4)
    format_column(overdue, 5, DAYS_FORMAT)
    link_numbers(overdue, [line.complaint for line in summary.overdue], request)

    oldest = add_sheet(book, _("Oldest open"), [
        (_("Card No."), 14), (_("Received"), 18), (_("Age, days"), 12), (_("State"), 22), (_("Responsible"), 28),
    ], [
        (card.complaint.number, excel_time(card.complaint.received_at), days(card.age),
         str(card.complaint.get_state_display()), str(card.complaint.responsible or not_assigned))
        for card in summary.oldest_open
    ])
    format_moments(oldest, 2)
    format_column(oldest, 3, DAYS_FORMAT)
    link_numbers(oldest, [card.complaint for card in summary.oldest_open], request)

    granted = compensation_granted(day_start(summary.week_start), day_start(summary.week_start + WEEK))
    compensation = add_sheet(book, _("Compensation"), [
        (_("Compensation"), 40), (_("Granted"), 12), (_("Value, %(currency)s") % {"currency": currency()}, 16),
    ], [
        *[(row.option, row.count, row.value) for row in granted],
        (_("Total"), sum(row.count for row in granted), sum(row.value for row in granted)),
    ])
    format_column(compensation, 3, MONEY_FORMAT)

    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
