from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amends.complaints.models import Complaint
from amends.customers.models import Contact

from ..choices import CampaignKind, CampaignState, InvitationChannel, InvitationState, NotSentReason
from .questionnaires import QuestionnaireVersion


class Campaign(models.Model):
    """One sending of a questionnaire version to an audience. The post-resolution campaign is one per
    version and month; the periodic ones one per period (`period`, e.g. "2026-H2", "2026-Q4")."""

    kind = models.CharField(_("kind"), max_length=20, choices=CampaignKind.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("questionnaire"),
    )
    # The period the campaign covers; with kind, what makes a scheduled campaign start only once.
    period = models.CharField(_("period"), max_length=20, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=CampaignState.choices, default=CampaignState.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("sending started at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period"], condition=~models.Q(period=""), name="surveys_campaign_period_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} {self.period}".strip()


class Invitation(models.Model):
    """One customer asked in one campaign, with the personal link's key (tokens.py)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="invitations")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"))
    # The card the survey follows (post-resolution), or the customer's card whose channel carries it
    # (a messenger's chat); None when it goes by e-mail alone.
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("complaint"),
    )
    # Random, in the link with its signature: the link needs no login and cannot be guessed.
    key = models.CharField(max_length=32, unique=True, editable=False)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    channel = models.CharField(_("channel"), max_length=10, choices=InvitationChannel.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=InvitationState.choices, default=InvitationState.PENDING,
    )
    not_sent_reason = models.CharField(_("why not sent"), max_length=20, choices=NotSentReason.choices, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    reminders = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["campaign", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="surveys_invitation_once_per_campaign"),
        ]
        indexes = [models.Index(fields=["state", "sent_at"], name="surveys_invitation_state_sent")]

    def __str__(self) -> str:
        return f"{self.campaign} → {self.contact_id}"
