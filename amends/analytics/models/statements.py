"""The yearly statement of complaint analysis (DOMAIN.md §5: all complaints and answers analysed by
15 January): drafted by the sweep from 1 January, concluded and approved by the head of the QMS. A
draft's figures are computed when read (yearly.py); at approval they are kept with it, so that a card
classified later does not change an approved statement."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class YearlyStatement(models.Model):
    year = models.PositiveIntegerField(_("year"), unique=True)
    drafted_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    conclusions = models.TextField(_("conclusions"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # The figures as approved, in every language of the site (yearly.figures_snapshot); None for a draft.
    figures = models.JSONField(_("figures as approved"), null=True, blank=True, editable=False)
    # Set once each by the sweep when it sends the reminder and the escalation (never twice).
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("yearly statement")
        verbose_name_plural = _("yearly statements")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)

    @property
    def approved(self) -> bool:
        return self.approved_at is not None
