"""Thin views: the operator's "not a duplicate" on a card."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.complaints.selectors import complaints_visible_to

from . import services
from .models import DuplicateCandidate


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
