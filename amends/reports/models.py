from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WeeklySummarySent(models.Model):
    """One user's weekly summary mail: the row is the claim, so a week reaches a user once even
    when two workers run at the same time; `sent_at` stays empty until the server accepts it."""

    week = models.DateField(_("week starting"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    claimed_at = models.DateTimeField(_("claimed at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("weekly summary sent")
        verbose_name_plural = _("weekly summaries sent")
        constraints = [
            models.UniqueConstraint(fields=["week", "user"], name="reports_weekly_summary_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.week:%G-W%V} {self.user_id}"
