"""A dashboard as an Excel workbook and as a PDF, from the same ChartData the page draws: the first
sheet (or the first lines) say the period, the filters and what is not counted; then each chart's
figures, as numbers a spreadsheet can sum, and in the PDF its drawing.

Each dashboard is also a report kind (report_kinds.py): its default period, sent weekly to those
who chose it (schedules.py)."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from urllib.parse import urlencode

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from amends.accounts.models import User
from amends.answers.documents import html_pdf
from amends.core.dates import excel_number_format
from amends.core.links import absolute_url
from amends.reports.xlsx import MONEY_FORMAT, add_sheet, excel_time, format_column, format_moments

from .charts import CHARTS, ChartData, Point, Series
from .dashboards import DASHBOARDS, Dashboard, dashboard_charts
from .filters import AnalyticsFilter, filters_described
from .links import drill_url
from .report_kinds import ReportKind, register_report_kind
from .selectors import NOT_COUNTED
from .svg import EMPTY_MESSAGE, chart_svg, empty_message, format_value

ONE_DECIMAL = "0.0"
# Point keys over time (charts.Point): a month, an ISO week, a year.
MONTH_KEY, WEEK_KEY, YEAR_KEY = re.compile(r"\d{4}-\d{2}"), re.compile(r"\d{4}-W\d{2}"), re.compile(r"\d{4}")


@dataclass(frozen=True)
class BoardReport:
    """A dashboard's charts computed for one user and one set of filters."""

    dashboard: Dashboard
    charts: list[ChartData]
    filters: AnalyticsFilter


def board_report(user: User, dashboard: Dashboard, filters: AnalyticsFilter) -> BoardReport:
    return BoardReport(dashboard, dashboard_charts(user, dashboard, filters), filters)


def point_start(key: str) -> date | None:
    """The first day of a month's or a week's point; None for any other point."""
    if MONTH_KEY.fullmatch(key):
        return date(int(key[:4]), int(key[5:]), 1)
    if WEEK_KEY.fullmatch(key):
        return date.fromisocalendar(int(key[:4]), int(key[6:]), 1)
    return None


def point_heading(points: Sequence[Point]) -> str:
    keys = [point.key for point in points]
    for pattern, heading in ((MONTH_KEY, _("Month")), (WEEK_KEY, _("Week"))):
        if keys and all(pattern.fullmatch(key) for key in keys):
            return heading
    # A year's point reads as its key; a contact's pk of four digits does not.
    if keys and all(YEAR_KEY.fullmatch(point.key) and str(point.label) == point.key for point in points):
        return _("Year")
    return _("Group")


def series_heading(series: Series) -> str:
    return f"{series.label}, {series.unit}" if series.unit else str(series.label)


def _unit_format(unit: str) -> str | None:
    if unit in ("%", "h"):
        return ONE_DECIMAL
    return MONEY_FORMAT if unit else None


def _drillable(chart: ChartData, series: Series) -> bool:
    spec = CHARTS.get(chart.key)
    return spec is not None and spec.drill is not None and series.drillable


def board_xlsx(dashboard: Dashboard, charts: Sequence[ChartData], filters: AnalyticsFilter,
               request: HttpRequest | None = None) -> bytes:
    """The workbook; a card count links to its cards (on the request's host when AMENDS_BASE_URL is unset)."""
    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet a new workbook starts with
    book.properties.title = str(dashboard.title)
    first = add_sheet(book, _("Report"), [(_("Field"), 36), (pgettext("report sheet", "Value"), 60)], [
        (_("Report"), str(dashboard.title)),
        (_("From"), filters.start),
        (_("To (inclusive)"), filters.end),
        *filters_described(filters),
        (_("Not counted"), str(NOT_COUNTED)),
        (_("Made at"), excel_time(timezone.now())),
        *[(str(chart.title), str(empty_message(chart) if chart.empty else chart.note)) for chart in charts],
    ])
    format_moments(first, 2)
    first.auto_filter.ref = first.dimensions

    for chart in charts:
        _chart_sheet(book, chart, filters, request)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _chart_sheet(book: Workbook, chart: ChartData, filters: AnalyticsFilter, request: HttpRequest | None) -> None:
    """A header row, then a row per point: its label, its first day (months, weeks), a column per series."""
    starts = [point_start(point.key) for point in chart.points]
    dated = bool(starts) and all(starts)
    columns = [(point_heading(chart.points), 28), *([(_("From"), 14)] if dated else []),
               *[(series_heading(series), 16) for series in chart.series]]
    rows: list[list] = [[str(empty_message(chart))]] if chart.empty else [
        [str(point.label), *([start] if dated else []), *[point.values.get(series.key) for series in chart.series]]
        for point, start in zip(chart.points, starts, strict=True)
    ]
    sheet = add_sheet(book, str(chart.title), columns, rows)
    sheet.auto_filter.ref = sheet.dimensions
    if chart.empty:
        return
    if dated:
        format_column(sheet, 2, excel_number_format("SHORT_DATE_FORMAT"))
    first_series = 3 if dated else 2
    for column, series in enumerate(chart.series, start=first_series):
        number_format = _unit_format(series.unit)
        if number_format:
            format_column(sheet, column, number_format)
        if not _drillable(chart, series):
            continue
        for row, point in enumerate(chart.points, start=2):
            if point.values.get(series.key):
                sheet.cell(row=row, column=column).hyperlink = absolute_url(
                    drill_url(chart.key, point.key, series.key, filters), request,
                )


def board_html(dashboard: Dashboard, charts: Sequence[ChartData], filters: AnalyticsFilter) -> str:
    """The PDF's page in the active language: the charts drawn without links, each with its table."""
    return render_to_string("analytics/pdf/board.html", {
        "dashboard": dashboard, "filters": filters, "filter_lines": filters_described(filters),
        "not_counted": NOT_COUNTED, "empty_message": EMPTY_MESSAGE, "made_at": timezone.now(),
        "charts": [{
            "data": chart, "svg": "" if chart.empty else chart_svg(chart),
            "headings": [series_heading(series) for series in chart.series],
            "rows": [(point.label, [format_value(point.values.get(s.key), s.unit) for s in chart.series])
                     for point in chart.points],
        } for chart in charts],
    })


def board_pdf(dashboard: Dashboard, charts: Sequence[ChartData], filters: AnalyticsFilter) -> bytes:
    return html_pdf(board_html(dashboard, charts, filters), layout=render_to_string("analytics/pdf/board.css"))


def board_filename(report: BoardReport) -> str:
    return f"amends-{report.dashboard.key}-{report.filters.start:%Y-%m-%d}-{report.filters.end:%Y-%m-%d}"


def board_url(dashboard: Dashboard, filters: AnalyticsFilter, request: HttpRequest | None = None) -> str:
    return absolute_url(f"{reverse('analytics:board', args=[dashboard.key])}?{urlencode(filters.params())}", request)


def board_report_kind(key: str) -> ReportKind:
    """The dashboard `key` as a weekly report of its default period, as of the day it is sent."""

    def scheduled(user: User, now: datetime) -> BoardReport:
        return board_report(user, DASHBOARDS[key], AnalyticsFilter.default(timezone.localdate(now)))

    return ReportKind(
        key=f"dashboard:{key}", title=DASHBOARDS[key].title, cadence="weekly", scheduled=scheduled,
        xlsx=lambda report: board_xlsx(report.dashboard, report.charts, report.filters),
        pdf=lambda report: board_pdf(report.dashboard, report.charts, report.filters),
        filename=board_filename, url=lambda report: board_url(report.dashboard, report.filters),
    )


def register_board_report_kinds() -> None:
    """Called once from AppConfig.ready."""
    for key in DASHBOARDS:
        register_report_kind(board_report_kind(key))
