"""The follow-ups' list and one follow-up with its close form; thin views on followups.py."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.access import OVERSEERS

from ..access import access_followup_close, access_followups, can_close_followup, can_see_followup
from ..choices import FollowUpState, OrganisationalMeasure
from ..followups import SHOWN, criteria_pulling_down, followup_close, followups_for
from ..forms.followups import FollowUpCloseForm, FollowUpFilterForm
from ..models import FollowUp

PAGE_SIZE = 50


@login_required
def followups(request):
    access_followups(request.user)
    overseer = request.user.has_role(*OVERSEERS)
    form = FollowUpFilterForm(request.GET or None)
    shown, mine = "open", not overseer
    if form.is_valid():
        shown = form.cleaned_data["shown"] if form.cleaned_data["shown"] in SHOWN else "open"
        mine = form.cleaned_data["mine"] or not overseer
    rows = followups_for(request.user, shown=shown, mine=mine)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "surveys/followups/list.html", {
        "form": form, "page": page, "overseer": overseer, "now": timezone.now(), "query": query.urlencode(),
    })


@login_required
def followup(request, pk: int):
    item = get_object_or_404(FollowUp.objects.select_related(
        "response", "response__contact", "response__complaint", "owner", "closed_by",
    ), pk=pk)
    if not can_see_followup(request.user, item):
        raise Http404(_("No such follow-up."))
    closable = item.state == FollowUpState.OPEN and can_close_followup(request.user, item)
    if request.method == "POST" and item.state == FollowUpState.OPEN:
        access_followup_close(request.user, item)
    form = FollowUpCloseForm(item, request.POST or None) if closable else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            followup_close(item, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("surveys:followup", pk=item.pk)
    measures = dict(OrganisationalMeasure.choices)
    return render(request, "surveys/followups/detail.html", {
        "followup": item, "response": item.response, "pulling_down": criteria_pulling_down(item.response),
        "form": form, "now": timezone.now(), "measures_taken": [measures.get(code, code) for code in item.measures],
    }, status=400 if form is not None and form.errors else 200)
