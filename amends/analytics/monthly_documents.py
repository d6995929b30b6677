"""The monthly review pack as a workbook (the weekly report's sheet helpers: real numbers and dates, a
bold header row with a filter on every sheet, the period on the first sheet, card numbers linking to
their cards) and as a PDF (WeasyPrint, through answers' documents), and its ReportKind for the schedule."""

from datetime import datetime
from io import BytesIO

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from amends.accounts.models import User
from amends.answers.documents import html_pdf
from amends.core.dates import excel_number_format
from amends.core.links import absolute_url
from amends.reports.xlsx import add_sheet, excel_time, format_column, format_moments, link_numbers

from .access import can_see_analytics
from .monthly import DecisionLine, ListedCard, MonthlyPack, last_whole_month, monthly_pack
from .report_kinds import ReportKind, register_report_kind
from .selectors import NOT_COUNTED
from .svg import EMPTY_MESSAGE as EMPTY

PERCENT_FORMAT = "0.0"


def _filtered(sheet: Worksheet) -> Worksheet:
    sheet.auto_filter.ref = sheet.dimensions
    return sheet


def _card_sheet(book: Workbook, title: str, cards: list[ListedCard], request: HttpRequest | None) -> None:
    not_assigned = _("not assigned")
    sheet = _filtered(add_sheet(book, title, [
        (_("Card No."), 14), (_("Received"), 18), (_("Age at the month's end, days"), 16), (_("State now"), 22),
        (_("Responsible"), 28),
    ], [
        (card.complaint.number, excel_time(card.complaint.received_at), card.age_days,
         str(card.complaint.get_state_display()), str(card.complaint.responsible or not_assigned))
        for card in cards
    ]))
    format_moments(sheet, 2)
    link_numbers(sheet, [card.complaint for card in cards], request)


def _decision_sheet(book: Workbook, title: str, lines: list[DecisionLine]) -> None:
    sheet = _filtered(add_sheet(book, title, [
        (_("Month reviewed"), 14), (_("Decision"), 50), (_("Owner"), 26), (_("Due"), 14), (_("Status"), 12),
        (_("Done at"), 18), (_("Follow-up"), 50),
    ], [
        (f"{line.decision.review.month:%Y-%m}", line.decision.text, str(line.decision.owner), line.decision.due_date,
         str(line.status_label), excel_time(line.decision.done_at) if line.decision.done_at else None,
         line.decision.follow_up)
        for line in lines
    ]))
    format_moments(sheet, 4)
    format_moments(sheet, 6)


def monthly_pack_xlsx(pack: MonthlyPack, request: HttpRequest | None = None) -> bytes:
    """The workbook in the active language; card links on the request's host when AMENDS_BASE_URL is unset."""
    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet a new workbook starts with
    book.properties.title = _("Monthly review pack %(month)s") % {"month": pack.key}
    period = _filtered(add_sheet(book, _("Period"), [(_("Field"), 30), (_("Value"), 60)], [
        (_("Month"), pack.key),
        (_("From"), pack.month),
        (_("To (inclusive)"), pack.last_day),
        (_("As of"), excel_time(pack.now)),
        (_("Counted"), str(NOT_COUNTED)),
        *([(_("Note"), str(EMPTY))] if pack.empty else []),
    ]))
    period["B3"].number_format = period["B4"].number_format = excel_number_format("SHORT_DATE_FORMAT")
    period["B5"].number_format = excel_number_format()

    figures = _filtered(add_sheet(book, _("Figures"), [
        (_("Figure"), 36), (pack.key, 12), (f"{pack.previous_month:%Y-%m}", 12), (f"{pack.year_ago_month:%Y-%m}", 12),
    ], [(str(row.label), row.current, row.previous, row.year_ago) for row in pack.figures]))
    for row_number, row in enumerate(pack.figures, start=2):
        if row.unit == "%":
            for cell in figures[row_number][1:]:
                cell.number_format = PERCENT_FORMAT

    _card_sheet(book, _("Overdue at the month's end"), pack.overdue, request)
    _card_sheet(book, _("Oldest open"), pack.oldest_open, request)

    causes = _filtered(add_sheet(book, _("Top causes"), [
        (_("Cause"), 40), (_("Cards"), 10), (_("Share, %"), 10), (_("Cumulative, %"), 14), (_("Month before"), 14),
    ], [(str(row.label), row.count, row.share_pct, row.cumulative_pct, row.previous) for row in pack.causes]))
    format_column(causes, 3, PERCENT_FORMAT)
    format_column(causes, 4, PERCENT_FORMAT)

    _filtered(add_sheet(book, _("Supplier norms"), [
        (_("Counted for"), 30), (_("Supplier"), 30), (_("Complaints counted"), 18), (_("Norm"), 10),
        (_("Exceeded"), 10),
    ], [
        (row.subject_label, row.supplier.localized_name if row.supplier else "", row.count, row.norm, row.exceeded)
        for row in pack.norms
    ]))

    actions = _filtered(add_sheet(book, _("Corrective actions"), [
        (_("Nonconformity No."), 18), (_("Title"), 40), (_("Action"), 50), (_("Kind"), 20), (_("Owner"), 26),
        (_("Due"), 14), (_("Status"), 14),
    ], [
        (action.nonconformity.number, action.nonconformity.title, action.description, str(action.get_kind_display()),
         str(action.owner), action.due_date, str(action.get_status_display()))
        for action in pack.actions
    ]))
    format_moments(actions, 6)
    for row_number, action in enumerate(pack.actions, start=2):
        actions.cell(row=row_number, column=1).hyperlink = absolute_url(
            reverse("capa:record", args=[action.nonconformity.number]), request,
        )

    _decision_sheet(book, _("Decisions"), pack.decisions)
    _decision_sheet(book, _("Follow-up"), pack.follow_up)

    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def monthly_pack_pdf(pack: MonthlyPack) -> bytes:
    """The pack on A4, in the active language, without the page's forms."""
    return html_pdf(
        render_to_string("analytics/monthly/pdf.html", {
            "pack": pack, "pdf": True, "not_counted": NOT_COUNTED, "empty_text": EMPTY,
            "follow_up_rows": [(line, None) for line in pack.follow_up],
            "decision_rows": [(line, None) for line in pack.decisions],
        }),
        layout=render_to_string("analytics/monthly/pdf.css"),
    )


def monthly_pack_url(pack: MonthlyPack) -> str:
    return absolute_url(f"{reverse('analytics:monthly')}?month={pack.key}")


def scheduled_pack(user: User, now: datetime) -> MonthlyPack | None:
    """The last whole month's pack, for a subscriber who still sees the analysis."""
    if not can_see_analytics(user):
        return None
    return monthly_pack(user, last_whole_month(timezone.localdate(now)), now)


def register() -> None:
    """Called once from AppConfig.ready."""
    register_report_kind(ReportKind(
        key="monthly", title=gettext_lazy("Monthly review pack"), cadence="monthly", scheduled=scheduled_pack,
        xlsx=monthly_pack_xlsx, pdf=monthly_pack_pdf, filename=lambda pack: f"amends-monthly-{pack.key}",
        url=monthly_pack_url,
    ))
