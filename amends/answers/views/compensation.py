"""Thin views of the card's compensation forms and the QMS head's list of grants to approve."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.accounts.access import PROCESS_OWNERS
from amends.complaints.access import COMPENSATION, QMS, access_writer, has_relation
from amends.complaints.card_page import card_for_request, card_form_post
from amends.core.errors import AccessDenied, TransitionNotAllowed

from .. import compensation as services
from ..choices import GrantStatus
from ..forms.compensation import GrantForm, PriceForm, RefuseForm
from ..models import CompensationGrant

PENDING_PAGE = "pending"


@login_required
@require_POST
def grant(request, number: str):
    complaint = card_for_request(request, number)
    access_writer(request.user, complaint, COMPENSATION)  # refused before the form is read
    form = GrantForm(request.POST, options=[a.option for a in services.allowances(request.user)])
    done = _("Compensation granted.")

    def write(**data):
        made = services.compensation_grant(complaint=complaint, actor=request.user, **data)
        if made.status == GrantStatus.PENDING:
            messages.info(request, _(
                "Above your limit: the compensation waits for the approval of the head of the QMS."))
        else:
            messages.success(request, done)

    return card_form_post(request, complaint, form, "compensation", write)


def _grant_of(request, number: str, pk: int) -> CompensationGrant:
    complaint = card_for_request(request, number)
    if not has_relation(request.user, complaint, QMS):
        raise PermissionDenied(_("Only the head of the QMS approves or refuses compensation above the limit."))
    return get_object_or_404(CompensationGrant.objects.select_related("complaint", "option", "granted_by"),
                             pk=pk, complaint=complaint)


def _back(request, number: str):
    if request.POST.get("back") == PENDING_PAGE:
        return redirect("answers:compensation_pending")
    return redirect("complaints:detail", number=number)


@login_required
@require_POST
def approve(request, number: str, pk: int):
    grant_ = _grant_of(request, number, pk)
    try:
        services.compensation_approve(grant=grant_, actor=request.user)
    except (TransitionNotAllowed, AccessDenied) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Compensation approved."))
    return _back(request, number)


@login_required
@require_POST
def refuse(request, number: str, pk: int):
    grant_ = _grant_of(request, number, pk)
    form = RefuseForm(request.POST, grant_id=grant_.pk)
    return card_form_post(
        request, grant_.complaint, form, f"refuse-{grant_.pk}",
        lambda reason: services.compensation_refuse(grant=grant_, actor=request.user, reason=reason),
        _("Compensation refused."),
    )


@login_required
@require_POST
def price(request, number: str):
    complaint = card_for_request(request, number)
    access_writer(request.user, complaint, COMPENSATION)
    return card_form_post(
        request, complaint, PriceForm(request.POST), "goods-price",
        lambda price: services.goods_price_set(complaint=complaint, actor=request.user, price=price),
        _("The price of the goods is saved."),
    )


@login_required
def pending(request):
    if not request.user.has_role(*PROCESS_OWNERS):
        raise PermissionDenied(_("Only the head of the QMS approves compensation above the limit."))
    return render(request, "answers/compensation_pending.html", {
        "grants": services.pending_grants(), "back": PENDING_PAGE,
    })
