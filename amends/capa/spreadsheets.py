"""A supplier's scorecard as an Excel workbook, built with the weekly report's sheet helpers: numbers,
dates and money as such, a bold header row with a filter on every sheet, the period on the first
sheet, card numbers linking to their cards."""

from io import BytesIO

from django.http import HttpRequest
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from amends.answers.money import currency
from amends.core.dates import excel_number_format
from amends.reports.xlsx import (
    MONEY_FORMAT,
    add_sheet,
    excel_time,
    format_column,
    format_moments,
    link_numbers,
)

from .scorecard import Scorecard, Standing, counted_in_norm, scorecard_complaints

PERCENT_FORMAT = "0.0"


def _filtered(sheet: Worksheet) -> Worksheet:
    sheet.auto_filter.ref = sheet.dimensions
    return sheet


def _record_lines(scorecard: Scorecard) -> list[tuple]:
    """A line per action of each open nonconformity; one without actions has a line of its own."""
    lines = []
    for record in scorecard.nonconformities:
        head = (record.number, record.title, str(record.get_state_display()), str(record.owner or ""))
        lines += [
            (*head, action.description, str(action.owner), action.due_date, str(action.get_status_display()))
            for action in record.actions_shown  # type: ignore[attr-defined]
        ] or [(*head, "", "", None, "")]
    return lines


def scorecard_xlsx(scorecard: Scorecard, request: HttpRequest | None = None) -> bytes:
    """The workbook; card links on the request's host when downloaded and AMENDS_BASE_URL is unset."""
    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet a new workbook starts with
    row, period = scorecard.row, scorecard.period
    book.properties.title = _("Supplier scorecard: %(supplier)s, %(period)s") % {
        "supplier": scorecard.supplier.localized_name, "period": period.label,
    }
    money = _("Compensation given, %(currency)s") % {"currency": currency()}
    summary = _filtered(add_sheet(book, _("Scorecard"), [(_("Figure"), 44), (_("Value"), 22)], [
        (_("Supplier"), scorecard.supplier.localized_name),
        (_("Period"), period.label),
        (_("From"), period.start),
        (_("To (inclusive)"), period.end.fromordinal(period.end.toordinal() - 1)),
        (_("Complaints"), row.complaints),
        (_("Counted in the norm"), row.counted),
        (_("Norm"), row.norm),
        (_("Norm status"), str(Standing.LABELS[row.standing])),
        (_("Justified share, %"), row.justified_share),
        (_("Open nonconformities"), row.open_nonconformities),
        (_("Open actions"), row.open_actions),
        (money, row.compensation),
    ]))
    summary["B4"].number_format = summary["B5"].number_format = excel_number_format("SHORT_DATE_FORMAT")
    summary["B10"].number_format, summary["B13"].number_format = PERCENT_FORMAT, MONEY_FORMAT

    columns = [(_("Complaints"), 12), (_("Counted in the norm"), 18)]
    _filtered(add_sheet(book, _("By component"), [(_("Component"), 40), *columns],
                        [(t.label, t.complaints, t.counted) for t in scorecard.by_component]))
    _filtered(add_sheet(book, _("By cause"), [(_("Cause"), 40), *columns],
                        [(t.label, t.complaints, t.counted) for t in scorecard.by_cause]))
    history = _filtered(add_sheet(book, _("Over time"), [
        (_("Period"), 14), (_("From"), 14), (_("Counted in the norm"), 18), (_("Norm"), 10), (_("Norm status"), 20),
    ], [
        (point.period.label, point.period.start, point.count, point.norm, str(Standing.LABELS[point.standing]))
        for point in scorecard.history
    ]))
    format_moments(history, 2)

    actions = _filtered(add_sheet(book, _("Nonconformities"), [
        (_("Nonconformity No."), 18), (_("Title"), 40), (_("State"), 20), (_("Owner"), 24), (_("Action"), 40),
        (_("Action owner"), 24), (_("Due"), 14), (_("Status"), 14),
    ], _record_lines(scorecard)))
    format_moments(actions, 7)

    grants = _filtered(add_sheet(book, _("Compensation"), [
        (_("Card No."), 14), (_("Compensation"), 36), (_("Value, %(currency)s") % {"currency": currency()}, 16),
        (_("Granted at"), 18),
    ], [
        (grant.complaint.number, grant.option.name, grant.value, excel_time(grant.decided_at or grant.granted_at))
        for grant in scorecard.grants
    ]))
    format_column(grants, 3, MONEY_FORMAT)
    format_moments(grants, 4)
    link_numbers(grants, [grant.complaint for grant in scorecard.grants], request)

    cards = list(scorecard_complaints(scorecard))
    complaints = _filtered(add_sheet(book, _("Complaints"), [
        (_("Card No."), 14), (_("Received"), 18), (_("Component"), 30), (_("Cause"), 30), (_("Justification"), 20),
        (_("Counted in the norm"), 18),
    ], [
        (card.number, excel_time(card.received_at), str(card.component or ""), str(card.cause or ""),
         str(card.get_justification_display()), counted_in_norm(card))
        for card in cards
    ]))
    format_moments(complaints, 2)
    link_numbers(complaints, cards, request)

    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
