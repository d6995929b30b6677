"""Triage: classification suggested from a card's text, the models that suggest it, the rules that
stand in before there is a model, and the flags for angry, threatening or urgent complaints.

Every suggestion keeps what the card finally got (`final_value`), so each acceptance or correction is
training data for the next model."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TriageField(models.TextChoices):
    """A part of the card's classification that triage suggests."""

    CATEGORY = "category", _("Category")
    CAUSE = "cause", _("Cause")
    IMPORTANCE = "importance", _("Importance")
    DEPARTMENT = "department", _("Department concerned")
    PRODUCT = "product", _("Product")


# The negative-emotion flag's model is trained, stored and judged as the fields' models are.
NEGATIVE_MODEL = "negative"
MODEL_CHOICES = [*TriageField.choices, (NEGATIVE_MODEL, _("Negative emotion flag"))]


class TriageModel(models.Model):
    """A model trained for one field: its file, what it was trained and tested on, and how it did."""

    field = models.CharField(_("field"), max_length=20, choices=MODEL_CHOICES)
    version = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("trained at"), default=timezone.now)
    # Serialised model in the media storage, shared by every server and worker.
    file = models.FileField(_("model file"), upload_to="triage/", blank=True)
    digest = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    trained_on = models.PositiveIntegerField(_("training cards"), default=0)
    tested_on = models.PositiveIntegerField(_("held-out cards"), default=0)
    classes = models.PositiveIntegerField(_("classes"), default=0)
    training_seconds = models.FloatField(_("training time, s"), default=0)
    # Held-out figures: top-1, top-3, macro-F1, per class, confusion matrix, calibration, baselines.
    evaluation = models.JSONField(_("evaluation"), default=dict)
    active = models.BooleanField(_("in use"), default=False)
    # Why a trained model was not put in use (worse than the active one on the held-out part, too few cards).
    rejected_reason = models.TextField(_("not used because"), blank=True)

    class Meta:
        ordering = ["field", "-version"]
        verbose_name = _("triage model")
        verbose_name_plural = _("triage models")
        constraints = [
            models.UniqueConstraint(fields=["field", "version"], name="triage_model_version"),
            models.UniqueConstraint(fields=["field"], condition=models.Q(active=True), name="triage_one_active_model"),
        ]

    def __str__(self) -> str:
        return f"{self.get_field_display()} v{self.version}"


class KeywordRule(models.Model):
    """Words that point to a value: the suggestion before any model exists, edited by administrators."""

    field = models.CharField(_("field"), max_length=20, choices=TriageField.choices)
    # The suggested value: a category's, cause's, department's or product's id, or an importance code.
    value = models.CharField(_("value"), max_length=100)
    keywords = models.TextField(_("keywords"), help_text=_("One word or phrase a line, in any language."))
    active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["field", "value"]
        verbose_name = _("keyword rule")
        verbose_name_plural = _("keyword rules")

    def __str__(self) -> str:
        return f"{self.get_field_display()}: {self.value}"


class FieldPolicy(models.Model):
    """Per field: from which confidence a suggestion is applied by itself."""

    field = models.CharField(_("field"), max_length=20, choices=TriageField.choices, unique=True)
    # None: never applied automatically, only suggested.
    auto_apply_at = models.DecimalField(
        _("apply automatically from confidence"), max_digits=3, decimal_places=2, null=True, blank=True,
    )

    class Meta:
        ordering = ["field"]
        verbose_name = _("triage policy")
        verbose_name_plural = _("triage policies")

    def __str__(self) -> str:
        return str(self.get_field_display())


class SuggestionSource(models.TextChoices):
    MODEL = "model", _("Model")
    KEYWORDS = "keywords", _("Keyword rule")
    NONE = "none", _("No suggestion")


class SuggestionStatus(models.TextChoices):
    OPEN = "open", _("Suggested")
    ACCEPTED = "accepted", _("Accepted")
    CORRECTED = "corrected", _("Corrected")
    AUTO_APPLIED = "auto_applied", _("Applied automatically")


class Suggestion(models.Model):
    """What triage suggested for one field of one card, and what the card finally got."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="triage_suggestions",
    )
    field = models.CharField(_("field"), max_length=20, choices=TriageField.choices)
    # Empty when nothing is suggested; `reason` then says why.
    value = models.CharField(_("value"), max_length=100, blank=True)
    label = models.CharField(_("suggested"), max_length=300, blank=True)
    confidence = models.FloatField(_("confidence"), default=0)
    # The next best values: [[value, label, confidence], ...]
    alternatives = models.JSONField(_("alternatives"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=SuggestionSource.choices)
    model = models.ForeignKey(TriageModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rule = models.ForeignKey(KeywordRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("why no suggestion"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("suggested at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=12, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The value the card got in the end: the training label.
    final_value = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["complaint", "field"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        constraints = [models.UniqueConstraint(fields=["complaint", "field"], name="triage_one_suggestion_a_field")]

    def __str__(self) -> str:
        return f"{self.get_field_display()}: {self.label or self.reason}"


class FlagKind(models.TextChoices):
    ANGER = "anger", _("Angry")
    THREAT = "threat", _("Threatening")
    LEGAL = "legal", _("Court or lawyer")
    REGULATOR = "regulator", _("Regulator")
    PUBLICITY = "publicity", _("Press or social networks")
    SAFETY = "safety", _("Health or safety risk")
    NEGATIVE = "negative", _("Negative emotion")


class Flag(models.Model):
    """An emotion or urgency flag raised on a card, with the words that raised it."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="triage_flags")
    kind = models.CharField(_("flag"), max_length=12, choices=FlagKind.choices)
    evidence = models.CharField(_("because of"), max_length=300, blank=True)
    # A flag a model raised: its probability and the model; empty when the word lists raised it.
    probability = models.FloatField(_("probability"), null=True, blank=True)
    model = models.ForeignKey(TriageModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)

    class Meta:
        ordering = ["complaint", "kind"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [models.UniqueConstraint(fields=["complaint", "kind"], name="triage_one_flag_a_kind")]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def probability_percent(self) -> int | None:
        return None if self.probability is None else round(self.probability * 100)


class FlagLabel(models.Model):
    """Whether a card's wording does say what its flag reads, as an operator marked it: the training
    label of the flag's model, kept whatever the flag itself became."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="triage_flag_labels")
    kind = models.CharField(_("flag"), max_length=12, choices=FlagKind.choices)
    present = models.BooleanField(_("the wording says it"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["complaint", "kind"]
        verbose_name = _("flag label")
        verbose_name_plural = _("flag labels")
        constraints = [models.UniqueConstraint(fields=["complaint", "kind"], name="triage_one_label_a_flag")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.present}"
