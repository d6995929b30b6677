"""A campaign's life: created as a draft with one invitation per customer of its audience, started
(the sending part sends it on `invitations_ready`), closed (what was not answered expires)."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.complaints.models import Complaint
from amends.customers.models import Contact

from .audience import OFFLINE, Addressing, addressing, addressings
from .choices import CampaignKind, CampaignState, InvitationState, NotSentReason
from .models import Campaign, Invitation, QuestionnaireVersion
from .selectors import _share as share
from .signals import invitations_ready
from .tokens import invitation_key

BATCH = 2000  # customers addressed and invitations written at a time
Counted = tuple[str, str | Promise, int]  # (code, label, count)

# Invitations that can still take an answer; closing the campaign expires them. A customer erased or
# who refused could never answer: their invitation stays "not sent", with its reason.
ANSWERABLE = Q(state__in=(InvitationState.PENDING, InvitationState.SENT, InvitationState.FAILED)) | Q(
    state=InvitationState.NOT_SENT, not_sent_reason=NotSentReason.NO_ADDRESS,
)


def invitation_build(
    campaign: Campaign, contact: Contact, complaint: Complaint | None = None, to: Addressing | None = None,
) -> Invitation:
    """The invitation of one customer, unsaved: PENDING, or NOT_SENT with the reason."""
    to = to or addressing(contact, complaint)
    return Invitation(
        campaign=campaign, contact=contact, complaint=to.complaint, key=invitation_key(), language=to.language,
        channel=to.channel, state=InvitationState.NOT_SENT if to.reason else InvitationState.PENDING,
        not_sent_reason=to.reason,
    )


@transaction.atomic
def campaign_create(
    *, kind: str, version: QuestionnaireVersion, actor: User | None = None, name: str = "", period: str = "",
    contacts: Iterable[Contact] | None = None,
) -> Campaign:
    """A draft campaign with one invitation per contact (once each)."""
    if version.published_at is None:
        raise ValidationError(_("Only a published questionnaire can be sent."))
    if period and Campaign.objects.filter(kind=kind, period=period).exists():
        raise ValidationError(_("The campaign of this period exists already."))
    campaign = Campaign.objects.create(kind=kind, version=version, name=name.strip(), period=period, created_by=actor)
    unique = list({contact.pk: contact for contact in contacts or ()}.values())
    for start in range(0, len(unique), BATCH):
        batch = unique[start:start + BATCH]
        found = addressings(batch)
        Invitation.objects.bulk_create([invitation_build(campaign, contact, to=found[contact.pk]) for contact in batch])
    return campaign


def _announce(campaign: Campaign) -> None:
    transaction.on_commit(lambda: invitations_ready.send(sender=Campaign, campaign=campaign))


@transaction.atomic
def campaign_start(campaign: Campaign, *, actor: User | None) -> Campaign:
    """DRAFT → SENDING; the invitations go out through the sending part once this commits."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.state != CampaignState.DRAFT:
        raise ValidationError(_("Only a draft campaign can be started."))
    campaign.state, campaign.started_at = CampaignState.SENDING, timezone.now()
    campaign.save(update_fields=["state", "started_at"])
    _announce(campaign)
    return campaign


@transaction.atomic
def campaign_close(campaign: Campaign, *, actor: User | None) -> Campaign:
    """→ CLOSED: the invitations not answered expire, their links take no answer any more."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.state == CampaignState.CLOSED:
        raise ValidationError(_("The campaign is closed already."))
    campaign.state, campaign.closed_at = CampaignState.CLOSED, timezone.now()
    campaign.save(update_fields=["state", "closed_at"])
    campaign.invitations.filter(ANSWERABLE).update(state=InvitationState.EXPIRED)
    return campaign


@dataclass(frozen=True)
class Preview:
    """How many of an audience get the questionnaire, and how many do not, by reason."""

    total: int
    reached: int
    to_ask: int  # no e-mail or chat, but a postal address, a fax or a phone: staff ask them
    not_sent: list[Counted]  # (reason, label, count), in the reasons' order


def audience_preview(contacts: Iterable[Contact]) -> Preview:
    counts: dict[str, int] = {}
    total = to_ask = 0
    contacts = list(contacts)
    found = {}
    for start in range(0, len(contacts), BATCH):
        found.update(addressings(contacts[start:start + BATCH], language=False))
    for contact in contacts:
        reason, channel = found[contact.pk].reason, found[contact.pk].channel
        total += 1
        counts[reason] = counts.get(reason, 0) + 1
        to_ask += reason == NotSentReason.NO_ADDRESS and channel in OFFLINE
    return Preview(
        total=total, reached=counts.get("", 0), to_ask=to_ask,
        not_sent=[(reason.value, reason.label, counts[reason]) for reason in NotSentReason if counts.get(reason)],
    )


# Not sent, and staff cannot ask them either: erased, refused, or no way at all to reach them.
NEVER_ASKED = Q(not_sent_reason__in=(NotSentReason.ERASED, NotSentReason.REFUSED)) | (
    Q(not_sent_reason=NotSentReason.NO_ADDRESS) & ~Q(channel__in=OFFLINE)
)


@dataclass(frozen=True)
class CampaignCounts:
    total: int
    by_state: list[Counted]  # (state, label, count), every state with invitations
    by_reason: list[Counted]
    answered: int
    asked: int  # sent, or to be asked by staff: the response rate's denominator

    @property
    def response_rate(self) -> Decimal | None:
        return share(self.answered, self.asked)


def campaign_counts(campaign: Campaign) -> CampaignCounts:
    """The invitations by state and by the reason they were not sent, and the response rate."""
    invitations = campaign.invitations.order_by()
    states = dict(invitations.values_list("state").annotate(count=Count("pk")))
    reasons = dict(invitations.exclude(not_sent_reason="").values_list("not_sent_reason").annotate(count=Count("pk")))
    total = sum(states.values())
    return CampaignCounts(
        total=total,
        by_state=[(state.value, state.label, states[state]) for state in InvitationState if states.get(state)],
        by_reason=[(reason.value, reason.label, reasons[reason]) for reason in NotSentReason if reasons.get(reason)],
        answered=states.get(InvitationState.ANSWERED, 0), asked=total - invitations.filter(NEVER_ASKED).count(),
    )


def manual_kinds() -> list[tuple[str, str | Promise]]:
    """The kinds staff start by hand; the post-resolution campaign is the system's."""
    return [(kind.value, kind.label) for kind in CampaignKind if kind != CampaignKind.POST_RESOLUTION]
