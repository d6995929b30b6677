"""The suppliers list and a supplier's scorecard, with its workbook and PDF: overseers only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header

from amends.answers.documents import DocumentError
from amends.customers.models import Supplier
from amends.reports.xlsx import CONTENT_TYPE

from ..access import access_scorecards
from ..forms.suppliers import SORT_LABELS, PeriodForm, SuppliersForm
from ..scorecard import Scorecard, final_supplier, supplier_scorecard, suppliers_table
from ..scorecard_documents import scorecard_chart, scorecard_pdf
from ..spreadsheets import scorecard_xlsx

PDF = "application/pdf"


@login_required
def suppliers(request: HttpRequest) -> HttpResponse:
    access_scorecards(request.user)  # type: ignore[arg-type]
    form = SuppliersForm(request.GET)
    period, choices = form.period(), form.choices()
    rows = suppliers_table(period=period, **choices)
    query = request.GET.copy()
    query.pop("sort", None)
    return render(request, "capa/suppliers.html", {
        "form": form, "period": period, "rows": rows, "query": query.urlencode(), **choices,
        "columns": list(SORT_LABELS.items()),
    })


def _scorecard(request: HttpRequest, pk: int) -> Scorecard | Supplier:
    """The scorecard asked for, or the supplier a merged one was merged into."""
    access_scorecards(request.user)  # type: ignore[arg-type]
    supplier = get_object_or_404(Supplier, pk=pk)
    if supplier.merged_into_id is not None:
        return final_supplier(supplier)
    form = PeriodForm(request.GET)
    period = form.period()
    return supplier_scorecard(supplier, period_kind=period.kind, now=period.bounds()[0])


def _moved(request: HttpRequest, name: str, supplier: Supplier) -> HttpResponse:
    url = redirect(name, pk=supplier.pk).url
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)


@login_required
def supplier(request: HttpRequest, pk: int) -> HttpResponse:
    found = _scorecard(request, pk)
    if isinstance(found, Supplier):
        return _moved(request, "capa:supplier", found)
    return render(request, "capa/supplier.html", {
        "scorecard": found, "row": found.row, "chart": scorecard_chart(found),
        "form": PeriodForm(request.GET), "query": request.GET.urlencode(),
    })


def _file_name(scorecard: Scorecard, extension: str) -> str:
    return f"supplier-{scorecard.supplier.pk}-{scorecard.period.kind}-{scorecard.period.start:%Y-%m}.{extension}"


@login_required
def supplier_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    found = _scorecard(request, pk)
    if isinstance(found, Supplier):
        return _moved(request, "capa:supplier_xlsx", found)
    response = HttpResponse(scorecard_xlsx(found, request), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, _file_name(found, "xlsx")) or "attachment"
    return response


@login_required
def supplier_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    found = _scorecard(request, pk)
    if isinstance(found, Supplier):
        return _moved(request, "capa:supplier_pdf", found)
    try:
        content = scorecard_pdf(found)
    except DocumentError as error:  # a character the fonts lack, no Pango: said on the scorecard
        messages.error(request, str(error))
        return _moved(request, "capa:supplier", found.supplier)
    response = HttpResponse(content, content_type=PDF)
    response["Content-Disposition"] = content_disposition_header(False, _file_name(found, "pdf")) or "inline"
    return response
