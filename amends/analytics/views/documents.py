"""A dashboard downloaded as a workbook or a PDF, with the filters of the page it was asked from."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header

from amends.answers.documents import DocumentError
from amends.reports.xlsx import CONTENT_TYPE

from ..access import access_analytics
from ..board_documents import BoardReport, board_filename, board_pdf, board_report, board_xlsx
from ..dashboards import DASHBOARDS
from ..filters import AnalyticsFilterForm

PDF = "application/pdf"


def _report(request: HttpRequest, key: str) -> BoardReport | None:
    """The dashboard's report, or None when the filters are wrong (the page says what is wrong)."""
    access_analytics(request.user)  # type: ignore[arg-type]
    form = AnalyticsFilterForm(request.GET)
    if not form.is_valid():
        return None
    return board_report(request.user, DASHBOARDS[key], form.to_filter())  # type: ignore[arg-type]


def _back_to_the_page(request: HttpRequest, key: str) -> HttpResponse:
    return redirect(f"{reverse('analytics:board', args=[key])}?{request.GET.urlencode()}")


@login_required
def board_xlsx_download(request: HttpRequest, key: str) -> HttpResponse:
    report = _report(request, key)
    if report is None:
        return _back_to_the_page(request, key)
    response = HttpResponse(board_xlsx(report.dashboard, report.charts, report.filters, request),
                            content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{board_filename(report)}.xlsx") or "attachment"
    return response


@login_required
def board_pdf_download(request: HttpRequest, key: str) -> HttpResponse:
    report = _report(request, key)
    if report is None:
        return _back_to_the_page(request, key)
    try:
        content = board_pdf(report.dashboard, report.charts, report.filters)
    except DocumentError as error:  # a character the fonts lack, no Pango: said on the page
        messages.error(request, str(error))
        return _back_to_the_page(request, key)
    response = HttpResponse(content, content_type=PDF)
    response["Content-Disposition"] = content_disposition_header(False, f"{board_filename(report)}.pdf") or "inline"
    return response
