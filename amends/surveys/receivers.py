"""The post-resolution survey: a complaint answered (its final answer left) or closed gets one
invitation in the month's post-resolution campaign."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from amends.complaints.choices import Origin, State
from amends.complaints.models import Complaint

from .campaigns import invitation_build
from .choices import CampaignKind, CampaignState, InvitationState
from .models import Campaign, Invitation
from .models.policy import policy
from .signals import invitations_ready


def on_answer_delivered(sender, *, complaint: Complaint, at: datetime, final: bool, **kwargs) -> None:
    if final:
        post_resolution_invite(complaint, at)


def on_complaint_transitioned(sender, *, complaint: Complaint, to_state: str, at: datetime, **kwargs) -> None:
    if to_state == State.CLOSED:
        post_resolution_invite(complaint, at)


def month_key(at: datetime) -> str:
    return f"{timezone.localtime(at):%Y-%m}"


def post_resolution_invite(complaint: Complaint, at: datetime | None = None) -> Invitation | None:
    """The card's one invitation (None: none is due). A customer is asked once per month's campaign:
    a second card answered the same month adds none. A campaign staff closed takes no more."""
    questionnaire = policy().post_resolution
    version = questionnaire.current_version() if questionnaire is not None else None
    contact = complaint.contact
    if (
        version is None or contact is None or complaint.origin != Origin.EXTERNAL
        or complaint.state in (State.DUPLICATE, State.WITHDRAWN) or complaint.duplicate_of_id is not None
        or Invitation.objects.filter(campaign__kind=CampaignKind.POST_RESOLUTION, complaint=complaint).exists()
    ):
        return None
    campaign = _month_campaign(version, month_key(at or timezone.now()))
    if campaign.state == CampaignState.CLOSED or campaign.invitations.filter(contact=contact).exists():
        return None
    invitation = invitation_build(campaign, contact, complaint)
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:  # the same customer's other card, a moment ago
        return None
    if invitation.state == InvitationState.PENDING:
        if campaign.state == CampaignState.SENT:
            Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.SENDING)
        transaction.on_commit(lambda: invitations_ready.send(sender=Campaign, campaign=campaign))
    return invitation


def _month_campaign(version, period: str) -> Campaign:
    """The month's campaign, created SENDING; its version is the one current when the month began."""
    campaign = Campaign.objects.filter(kind=CampaignKind.POST_RESOLUTION, period=period).first()
    if campaign is not None:
        return campaign
    try:
        with transaction.atomic():
            return Campaign.objects.create(
                kind=CampaignKind.POST_RESOLUTION, period=period, version=version, state=CampaignState.SENDING,
                started_at=timezone.now(),
            )
    except IntegrityError:
        return Campaign.objects.get(kind=CampaignKind.POST_RESOLUTION, period=period)
