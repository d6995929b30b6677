from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportSubscription(models.Model):
    """An overseer's choice to receive one kind of report by mail (report_kinds.REPORT_KINDS)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscriptions",
    )
    kind = models.CharField(_("report"), max_length=60)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="analytics_subscription_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.user_id}"


class ScheduledReportSent(models.Model):
    """One subscription's mail of one slot (the week, month or year it covers): the row is the claim,
    so a slot reaches a subscriber once even when two workers run at the same time; `sent_at` stays
    empty until the mail server accepts it."""

    subscription = models.ForeignKey(ReportSubscription, on_delete=models.CASCADE, related_name="sent")
    slot = models.DateField(_("slot"))
    claimed_at = models.DateTimeField(_("claimed at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled report sent")
        verbose_name_plural = _("scheduled reports sent")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "slot"], name="analytics_scheduled_report_once_per_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.subscription} {self.slot}"
