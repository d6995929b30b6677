"""The campaigns: the list, a new one with its preview, one campaign's figures and invitations;
thin views on campaigns.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..access import access_campaigns, access_surveys, can_run_campaigns
from ..audience import OFFLINE, where_to_ask
from ..campaigns import audience_preview, campaign_close, campaign_counts, campaign_create, campaign_start
from ..choices import InvitationState, NotSentReason
from ..forms.campaigns import CampaignForm
from ..models import Campaign, Response
from ..selectors import k_summary

PAGE_SIZE = 50


@login_required
def campaigns(request):
    access_surveys(request.user)
    rows = Campaign.objects.select_related("version__questionnaire").annotate(
        invitations_count=Count("invitations"),
        answered=Count("invitations", filter=Q(invitations__state=InvitationState.ANSWERED)),
    ).order_by("-created_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "surveys/campaigns/list.html", {
        "page": page, "query": "", "can_run": can_run_campaigns(request.user),
    })


@login_required
def campaign_new(request):
    access_campaigns(request.user)
    form = CampaignForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "create" in request.POST:
            try:
                campaign = campaign_create(
                    kind=form.cleaned_data["kind"], version=form.version(), actor=request.user,
                    name=form.cleaned_data["name"], period=form.period(), contacts=form.contacts(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The campaign is ready: check it and start it."))
                return redirect("surveys:campaign", pk=campaign.pk)
        preview = audience_preview(form.contacts().select_related("organisation"))
    return render(request, "surveys/campaigns/new.html", {"form": form, "preview": preview})


@login_required
def campaign(request, pk: int):
    access_surveys(request.user)
    campaign = get_object_or_404(Campaign.objects.select_related("version__questionnaire", "created_by"), pk=pk)
    invitations = campaign.invitations.select_related("contact__organisation", "complaint").order_by("pk")
    page = Paginator(invitations, PAGE_SIZE).get_page(request.GET.get("page"))
    to_ask = invitations.filter(
        state=InvitationState.NOT_SENT, not_sent_reason=NotSentReason.NO_ADDRESS, channel__in=OFFLINE,
    )
    asked = [(invitation, where_to_ask(invitation.contact, invitation.channel)) for invitation in to_ask[:PAGE_SIZE]]
    return render(request, "surveys/campaigns/detail.html", {
        "campaign": campaign, "counts": campaign_counts(campaign),
        "summary": k_summary(Response.objects.filter(invitation__campaign=campaign)),
        "page": page, "query": "", "to_ask": asked, "to_ask_count": to_ask.count(),
        "can_run": can_run_campaigns(request.user),
    })


@login_required
@require_POST
def campaign_start_view(request, pk: int):
    return _act(request, pk, campaign_start, _("The campaign is being sent."))


@login_required
@require_POST
def campaign_close_view(request, pk: int):
    return _act(request, pk, campaign_close, _("The campaign is closed: its links no longer take answers."))


def _act(request, pk: int, action, done: str):
    access_campaigns(request.user)
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        action(campaign, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("surveys:campaign", pk=pk)
