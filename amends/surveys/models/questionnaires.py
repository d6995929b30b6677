"""A questionnaire is versioned: a published version never changes, and every response keeps the
version it was given on; changing the questions makes the next version."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from amends.core.models import ReferenceModel


def localized(row: models.Model, field: str) -> str:
    """The field in the active language (`field_en`, `field_hy`), else the default (Russian) one."""
    language = (get_language() or "ru")[:2]
    return getattr(row, f"{field}_{language}", "") or getattr(row, field)


class Questionnaire(ReferenceModel):
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(ReferenceModel.Meta):
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def current_version(self) -> "QuestionnaireVersion | None":
        """The latest published version: the one new campaigns send."""
        return self.versions.filter(published_at__isnull=False).order_by("-number").first()


class QuestionnaireVersion(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="versions", verbose_name=_("questionnaire"),
    )
    number = models.PositiveIntegerField(_("version"))
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    intro_hy = models.TextField(_("introduction (Armenian)"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # None: a draft, still edited; once published it is frozen (questionnaires.py refuses changes).
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        ordering = ["questionnaire", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"], name="surveys_version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} v{self.number}"

    @property
    def localized_intro(self) -> str:
        return localized(self, "intro")


class Criterion(models.Model):
    """One criterion the customer scores and weighs (e.g. product reliability)."""

    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("version"),
    )
    # The same criterion across versions ("reliability"), so that figures run over the years.
    key = models.SlugField(_("key"), max_length=50)
    name = models.CharField(_("criterion"), max_length=200)
    name_en = models.CharField(_("criterion (English)"), max_length=200, blank=True)
    name_hy = models.CharField(_("criterion (Armenian)"), max_length=200, blank=True)
    question = models.TextField(_("question"), blank=True)
    question_en = models.TextField(_("question (English)"), blank=True)
    question_hy = models.TextField(_("question (Armenian)"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["version", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="surveys_criterion_key_unique")]

    def __str__(self) -> str:
        return self.localized_name

    @property
    def localized_name(self) -> str:
        return localized(self, "name")

    @property
    def localized_question(self) -> str:
        return localized(self, "question")
