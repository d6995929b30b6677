from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import FollowUpKind, FollowUpState
from .responses import Response


class FollowUp(models.Model):
    """What a response asks of the company: the measures when K is low, a call-back when the customer
    would not recommend us. Opened once per response and kind, closed with its result."""

    kind = models.CharField(_("kind"), max_length=10, choices=FollowUpKind.choices)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="follow_ups")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("responsible manager"),
    )
    state = models.CharField(_("state"), max_length=10, choices=FollowUpState.choices, default=FollowUpState.OPEN)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    due_at = models.DateTimeField(_("due"))
    # The organisational measures ticked (choices.OrganisationalMeasure codes).
    measures = models.JSONField(_("measures taken"), default=list, blank=True)
    # The call-back's result: why the customer would not recommend us, and what they suggest.
    reason = models.TextField(_("why"), blank=True)
    suggestion = models.TextField(_("suggestion"), blank=True)
    result = models.TextField(_("result"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # When the QMS heads were told it is overdue: once (followups.followups_escalate).
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        verbose_name = _("survey follow-up")
        verbose_name_plural = _("survey follow-ups")
        ordering = ["due_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["response", "kind"], name="surveys_follow_up_once")]
        indexes = [models.Index(fields=["state", "due_at"], name="surveys_follow_up_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.response_id}"
