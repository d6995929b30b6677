"""Thin views: the operator's "not a duplicate" on a card, and the live search of the registration form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.accounts.access import access_register_complaint
from amends.complaints.selectors import complaints_visible_to

from . import services
from .forms import DraftForm
from .models import DuplicateCandidate
from .pages import draft_context


@login_required
@require_POST
def candidate_dismiss(request, pk: int):
    candidate = get_object_or_404(
        DuplicateCandidate.objects.select_related("complaint", "candidate"),
        pk=pk, complaint__in=complaints_visible_to(request.user),
    )
    services.duplicate_dismiss(candidate=candidate, actor=request.user)
    messages.success(request, _("%(number)s will no longer be offered as the original of this complaint.") % {
        "number": candidate.candidate.number,
    })
    return redirect("complaints:detail", number=candidate.complaint.number)


@login_required
@require_POST
def draft_candidates(request):
    """The cards the complaint being typed on the registration form may duplicate, or resembles: a
    partial for the form, refreshed as the operator types. Reads only (POST for the wording's length)."""
    access_register_complaint(request.user)
    form = DraftForm(request.POST)
    form.is_valid()  # a field that is not valid (a customer since removed) is left out of the search
    data = form.cleaned_data
    matches = services.draft_matches(
        wording=data.get("wording", ""), contact=data.get("contact"), email=data.get("email", ""),
        phone=data.get("phone", ""), order_reference=data.get("order_reference", ""),
    )
    return render(request, "duplicates/draft_candidates.html", draft_context(request.user, matches))
