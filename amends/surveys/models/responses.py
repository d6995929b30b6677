from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amends.complaints.models import Complaint
from amends.customers.models import Contact, OrganisationKind, Product

from ..choices import ResponseSource
from .campaigns import Invitation
from .questionnaires import Criterion, QuestionnaireVersion


class Response(models.Model):
    """One filled-in questionnaire: who said what, when and how. Kept apart from the satisfaction and
    loyalty staff record on the card at closing; the customer's page shows both (history.py)."""

    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.PROTECT, related_name="response",
    )
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"))
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_responses",
        verbose_name=_("complaint"),
    )
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="responses", verbose_name=_("questionnaire"),
    )
    source = models.CharField(_("how it came"), max_length=10, choices=ResponseSource.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("typed in by"),
    )
    received_at = models.DateTimeField(_("answered at"), default=timezone.now, db_index=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    # None: the customer left the question unanswered.
    recommends = models.BooleanField(_("would recommend us"), null=True, blank=True)
    continues = models.BooleanField(_("will keep working with us"), null=True, blank=True)
    suggestion = models.TextField(_("suggestion"), blank=True)
    # K = weighted_sum / importance_sum exactly (scoring.py); `k` is it rounded, for pages and SQL.
    weighted_sum = models.PositiveIntegerField(editable=False)
    importance_sum = models.PositiveIntegerField(editable=False)
    k = models.DecimalField(_("satisfaction coefficient K"), max_digits=6, decimal_places=4, editable=False)
    # The customer's segment when they answered, so that old figures keep their segments.
    organisation_kind = models.CharField(
        _("type of organisation"), max_length=20, choices=OrganisationKind.choices, blank=True,
    )
    region = models.CharField(_("region"), max_length=100, blank=True)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("product"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["contact", "received_at"], name="surveys_response_contact")]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.received_at:%Y-%m-%d} K={self.k}"


class Answer(models.Model):
    """One criterion's score and importance in a response (scoring.Rating)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    importance = models.PositiveSmallIntegerField(
        _("importance"), validators=[MinValueValidator(0), MaxValueValidator(10)],
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["response", "criterion__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["response", "criterion"], name="surveys_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}×{self.importance}"
