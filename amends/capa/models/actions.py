from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amends.complaints.models import Measure

from ..choices import ActionKind, ActionStatus
from .nonconformities import Nonconformity

USER = settings.AUTH_USER_MODEL


class Action(models.Model):
    """A corrective or preventive action of a nonconformity, checked for effectiveness on `check_on`."""

    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("kind"), max_length=12, choices=ActionKind.choices, default=ActionKind.CORRECTIVE)
    description = models.TextField(_("action"))
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="capa_actions", verbose_name=_("owner"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    report = models.TextField(_("report"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # Chosen when the action is planned (default: 90 days after its due date, CapaSettings).
    check_on = models.DateField(_("effectiveness check on"))
    # The last escalation step fired for the due date and for the check (0: none); raised only by
    # the conditional UPDATE of capa/sweep.py; whoever sets a new date sets its level back to 0.
    due_level = models.PositiveSmallIntegerField(default=0, editable=False)
    check_level = models.PositiveSmallIntegerField(default=0, editable=False)
    # When its dates were last set anew (rescheduled, or found not effective): its due date's
    # allowance runs from then, else from when it was planned.
    rescheduled_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The complaint's measure this action was promoted from, when its cause proved systemic.
    measure = models.OneToOneField(
        Measure, null=True, blank=True, on_delete=models.SET_NULL, related_name="capa_action",
        verbose_name=_("promoted from the measure"),
    )
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("corrective or preventive action")
        verbose_name_plural = _("corrective and preventive actions")
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def scheduled_at(self):
        """When its due date began to run: the last reschedule, else its planning."""
        return self.rescheduled_at or self.created_at


class EffectivenessCheck(models.Model):
    """The check of an action's effectiveness, with the evidence Amends prepared when it was recorded:
    the complaints of the same cause, product, component or supplier since the action was done,
    against the same length of time before (JSON: windows, counts and card numbers per dimension)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="checks")
    effective = models.BooleanField(_("effective"))
    comment = models.TextField(_("comment"))
    evidence = models.JSONField(_("evidence"), default=dict)
    checked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked by"))
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    class Meta:
        verbose_name = _("effectiveness check")
        verbose_name_plural = _("effectiveness checks")
        ordering = ["checked_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action_id}: {'+' if self.effective else '-'}"
