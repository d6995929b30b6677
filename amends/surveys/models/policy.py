from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyPolicy(models.Model):
    """The surveys' settings, one row (pk 1, read by `policy()`), changed by administrators."""

    k_threshold = models.DecimalField(
        _("coefficient threshold"), max_digits=4, decimal_places=2, default=Decimal(8),
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("A response with K below it opens a follow-up for the responsible manager (the seeds: 8)."),
    )
    link_valid_days = models.PositiveSmallIntegerField(
        _("link valid for, days"), default=30, validators=[MinValueValidator(1)],
    )
    reminder_after_days = models.PositiveSmallIntegerField(
        _("remind after, days"), default=7, validators=[MinValueValidator(1)],
    )
    reminders_max = models.PositiveSmallIntegerField(_("reminders at most"), default=2)
    post_resolution = models.ForeignKey(
        "surveys.Questionnaire", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("questionnaire after an answered complaint"),
        help_text=_("Empty: no survey after complaints."),
    )
    periodic = models.ForeignKey(
        "surveys.Questionnaire", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("questionnaire of the six-monthly and quarterly campaigns"),
        help_text=_("Empty: the periodic campaigns are not started."),
    )
    active_months = models.PositiveSmallIntegerField(
        _("a customer is active for, months"), default=12, validators=[MinValueValidator(1)],
        help_text=_("Since their last complaint: the six-monthly campaign asks the active customers."),
    )
    low_k_due_days = models.PositiveSmallIntegerField(
        _("follow-up of a low coefficient due in, working days"), default=5, validators=[MinValueValidator(1)],
    )
    norm_min_responses = models.PositiveSmallIntegerField(
        _("answers before the norms are checked"), default=10, validators=[MinValueValidator(1)],
        help_text=_("A period or segment with fewer answers says little: its shares are shown, not alerted."),
    )

    class Meta:
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


def policy() -> SurveyPolicy:
    """The stored row, else the defaults unsaved: a read never writes (only `policy_update` stores it)."""
    return SurveyPolicy.objects.filter(pk=1).first() or SurveyPolicy(pk=1)
