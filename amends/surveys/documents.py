"""The surveys' report as the page shows it, as an Excel workbook and as a PDF (WeasyPrint through
answers' documents): K against the threshold, the shares against the norms, the score × importance
matrix, K and the norms by quarter, the suggestions."""

from dataclasses import dataclass
from io import BytesIO

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from amends.answers.documents import html_pdf
from amends.complaints.choices import LEAVING_NORM, NOT_RECOMMENDING_NORM
from amends.core.dates import excel_number_format
from amends.customers.models import OrganisationKind, Product
from amends.reports.xlsx import add_sheet, excel_time, format_column, format_moments

from .choices import Band
from .figures import CriterionRow, ReportFilter, by_quarter, criterion_matrix, suggestions
from .models.policy import policy
from .scoring import band
from .selectors import k_summary

SUGGESTIONS_SHOWN = 50  # on the page and in the PDF; the workbook lists them all
# The matrix's bands, importance from the top and score from the left: the top row's first two
# cells are what matters most and scores worst.
IMPORTANCE_ROWS = (Band.HIGH, Band.MEDIUM, Band.LOW)
SCORE_COLUMNS = (Band.LOW, Band.MEDIUM, Band.HIGH)


@dataclass(frozen=True)
class MatrixCell:
    importance: Band
    score: Band
    criteria: list[CriterionRow]

    @property
    def priority(self) -> bool:
        return self.importance == Band.HIGH and self.score != Band.HIGH


def matrix_grid(rows: list[CriterionRow]) -> list[list[MatrixCell]]:
    """The criteria placed in the 3×3 grid of the bands of their mean importance and mean score."""
    return [
        [MatrixCell(importance, score, [row for row in rows
                                        if band(row.importance) == importance and band(row.score) == score])
         for score in SCORE_COLUMNS]
        for importance in IMPORTANCE_ROWS
    ]


def segment_label(report: ReportFilter) -> str:
    segment, parts = report.segment, []
    if segment.organisation_kind:
        parts.append(str(OrganisationKind(segment.organisation_kind).label))
    if segment.region:
        parts.append(segment.region)
    if segment.product_id:
        product = Product.objects.filter(pk=segment.product_id).first()
        parts.append(product.localized_name if product else str(segment.product_id))
    return ", ".join(parts) or _("All customers")


def report_context(report: ReportFilter) -> dict:
    """Everything the page, the workbook and the PDF show of the filter's responses."""
    threshold = policy().k_threshold
    responses = report.responses()
    summary = k_summary(responses, threshold)
    rows = criterion_matrix(responses, threshold)
    collected = suggestions(responses)
    return {
        "report": report, "segment_label": segment_label(report), "threshold": threshold, "summary": summary,
        "k_band": band(summary.k) if summary.k is not None else None,
        "k_below": summary.k is not None and summary.k < threshold,
        "recommend_norm": NOT_RECOMMENDING_NORM, "leaving_norm": LEAVING_NORM,
        "rows": rows, "grid": matrix_grid(rows), "quarters": by_quarter(report.start, report.end, report.segment),
        "suggestions": collected, "generated_at": timezone.now(),
    }


def suggestions_shown(context: dict) -> dict:
    """The newest suggestions for the page and the PDF, and how many there are in all."""
    return {"suggestions": list(context["suggestions"][:SUGGESTIONS_SHOWN]),
            "suggestions_count": context["suggestions"].count()}


def report_pdf(context: dict) -> bytes:
    shown = {**context, **suggestions_shown(context), "pdf": True}
    return html_pdf(render_to_string("surveys/reports/pdf.html", shown),
                    layout=render_to_string("surveys/reports/pdf.css"))


def _share(value) -> float | None:
    return None if value is None else float(value)


def report_xlsx(context: dict) -> bytes:
    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet a new workbook starts with
    report, summary = context["report"], context["summary"]
    book.properties.title = _("Satisfaction surveys: report")
    add_sheet(book, _("Summary"), [(_("Figure"), 50), (_("Value"), 24)], [
        (_("From"), report.start),
        (_("To (inclusive)"), report.end),
        (_("Customers"), context["segment_label"]),
        (_("Responses"), summary.responses),
        (_("Satisfaction coefficient K"), summary.k),
        (_("Threshold"), context["threshold"]),
        (_("Responses with K below the threshold"), summary.below_threshold),
        (_("Would not recommend us, %"), _share(summary.not_recommending_share)),
        (_("Norm: would not recommend us, at most %"), context["recommend_norm"]),
        (_("Will not keep working with us, %"), _share(summary.leaving_share)),
        (_("Norm: will not keep working with us, at most %"), context["leaving_norm"]),
    ])
    criteria = add_sheet(book, _("Criteria"), [
        (_("Criterion"), 36), (_("Responses"), 11), (_("Score"), 9), (_("Importance"), 11), (_("Weight, %"), 10),
        (_("Contribution to K"), 16), (_("Priority"), 10),
    ], [
        (row.name, row.responses, row.score, row.importance, row.weight, row.contribution,
         _("yes") if row.priority else "")
        for row in context["rows"]
    ])
    quarters = add_sheet(book, _("By quarter"), [
        (_("Quarter"), 10), (_("From"), 12), (_("To (inclusive)"), 14), (_("Responses"), 11), (_("K"), 8),
        (_("Below the threshold"), 18), (_("Would not recommend us, %"), 24),
        (_("Will not keep working with us, %"), 28),
    ], [
        (row.key, row.start, row.end, row.summary.responses, row.summary.k, row.summary.below_threshold,
         _share(row.summary.not_recommending_share), _share(row.summary.leaving_share))
        for row in context["quarters"]
    ])
    collected = add_sheet(book, _("Suggestions"), [
        (_("Answered at"), 18), (_("Customer"), 30), (_("K"), 8), (_("Suggestion"), 80),
    ], [
        (excel_time(response.received_at), str(response.contact), response.k,
         response.suggestion)
        for response in context["suggestions"]
    ])
    for sheet in (criteria, quarters, collected):
        sheet.auto_filter.ref = sheet.dimensions
    format_moments(quarters, 2)
    format_moments(quarters, 3)
    format_moments(collected, 1)
    for column in (3, 4, 5, 6):
        format_column(criteria, column, "0.00")
    format_column(quarters, 5, "0.00")
    summary_sheet = book.worksheets[0]
    summary_sheet["B2"].number_format = summary_sheet["B3"].number_format = excel_number_format("SHORT_DATE_FORMAT")
    output = BytesIO()
    book.save(output)
    return output.getvalue()
