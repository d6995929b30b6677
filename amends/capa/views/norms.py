"""The norms page and the cards each of its rows counts; thin views on norms.py."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from amends.complaints.access import relations_filter
from amends.customers.models import Supplier

from ..access import access_norms
from ..choices import NormSubject
from ..forms.norms import NormRowForm, PeriodForm
from ..models import NormBreach
from ..norms import norm_status, row_complaints

CARDS_PAGE_SIZE = 50


@login_required
def norms(request):
    access_norms(request.user)
    form = PeriodForm(request.GET or None)
    period = form.period()
    recorded = NormBreach.objects.filter(period_kind=period.kind, period_start=period.start)
    breaches = {(breach.subject, breach.supplier_id): breach for breach in recorded}
    rows = [
        (row, breaches.get((row.subject, row.supplier.pk if row.supplier else None))) for row in norm_status(period)
    ]
    return render(request, "capa/norms.html", {
        "form": form, "period": period, "rows": rows, "previous": period.previous(), "next": period.next(),
        "last_day": period.end - timedelta(days=1),
    })


@login_required
def norm_cards(request):
    access_norms(request.user)
    form = NormRowForm(request.GET)
    if not form.is_valid():
        raise Http404(_("No such row of the norms."))
    period, subject = form.period(), form.cleaned_data["subject"]
    supplier = None
    if subject == NormSubject.SUPPLIER:
        supplier = Supplier.objects.filter(pk=form.cleaned_data["supplier"] or 0).first()
        if supplier is None:
            raise Http404(_("No such supplier."))
    # The counted cards this user may see (the row's count is the company's).
    cards = row_complaints(period, subject, supplier.pk if supplier else None).filter(
        relations_filter(request.user),
    ).select_related("cause", "supplier", "component", "component__supplier")
    page = Paginator(cards.order_by("received_at", "pk"), CARDS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "capa/norm_cards.html", {
        "period": period, "subject": NormSubject(subject), "supplier": supplier, "page": page,
        "query": query.urlencode(),
    })
