"""The surveys' home: the report of a period and segment, on screen, as a workbook and as a PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from amends.answers.documents import DocumentError
from amends.reports.xlsx import CONTENT_TYPE

from ..access import access_surveys
from ..documents import report_context, report_pdf, report_xlsx, suggestions_shown
from ..figures import ReportFilter
from ..forms.reports import ReportForm

PDF = "application/pdf"


def _filter(request: HttpRequest) -> tuple[ReportForm, ReportFilter]:
    access_surveys(request.user)  # type: ignore[arg-type]
    form = ReportForm(request.GET or None, today=timezone.localdate())
    return form, form.report_filter()


def _file_name(report: ReportFilter, extension: str) -> str:
    return f"surveys-{report.start:%Y-%m-%d}-{report.end:%Y-%m-%d}.{extension}"


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    form, report = _filter(request)
    context = report_context(report)
    return render(request, "surveys/reports/reports.html", {
        **context, **suggestions_shown(context), "form": form, "query": request.GET.urlencode(),
    })


@login_required
def reports_xlsx(request: HttpRequest) -> HttpResponse:
    _form, report = _filter(request)
    response = HttpResponse(report_xlsx(report_context(report)), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, _file_name(report, "xlsx")) or "attachment"
    return response


@login_required
def reports_pdf(request: HttpRequest) -> HttpResponse:
    _form, report = _filter(request)
    try:
        content = report_pdf(report_context(report))
    except DocumentError as error:  # a character the fonts lack, no Pango: said on the page
        messages.error(request, str(error))
        url = redirect("surveys:reports").url
        return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)
    response = HttpResponse(content, content_type=PDF)
    response["Content-Disposition"] = content_disposition_header(False, _file_name(report, "pdf")) or "inline"
    return response
