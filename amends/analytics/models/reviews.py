"""The monthly review meeting (DOMAIN.md §5): who met on which day about which month, and the decisions
taken there, each with an owner and a due date, followed up at the next month's meeting."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class MonthlyReview(models.Model):
    month = models.DateField(_("month reviewed"), unique=True, help_text=_("The first day of the month."))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    attendees = models.TextField(_("attendees"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("monthly review")
        verbose_name_plural = _("monthly reviews")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class ReviewDecision(models.Model):
    review = models.ForeignKey(MonthlyReview, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="review_decisions", verbose_name=_("owner"))
    due_date = models.DateField(_("due date"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision of a monthly review")
        verbose_name_plural = _("decisions of monthly reviews")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["done_at", "due_date"])]

    def __str__(self) -> str:
        return self.text[:80]
