"""The letter to the customer, the templates it is drafted from, and what every letter must name."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from amends.complaints.models import Attachment, Complaint

from ..choices import Outcome, ReferenceKind
from ..logo import logo_check

USER = settings.AUTH_USER_MODEL


class Letterhead(models.Model):
    """The company as its letters and documents name it (DOMAIN.md §6): one row, kept by administrators."""

    name = models.CharField(_("company name"), max_length=300)
    registration = models.TextField(_("registration data"), help_text=_("e.g. registration number, tax number"))
    address = models.TextField(_("postal address"))
    phone = models.CharField(_("phone"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    logo = models.FileField(_("logo"), upload_to="letterhead/", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("letterhead")
        verbose_name_plural = _("letterhead")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.logo:
            try:
                logo_check(self.logo)
            except ValidationError as error:
                raise ValidationError({"logo": error}) from None


class LegalReference(models.Model):
    """A law article or contract clause a refusal cites (DOMAIN.md §6): a library administrators keep."""

    kind = models.CharField(_("kind"), max_length=20, choices=ReferenceKind.choices, default=ReferenceKind.LAW)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True,
        help_text=_("Offered to letters in this language; empty: to letters in any language."),
    )
    title = models.CharField(_("title"), max_length=300, help_text=_("How a letter cites it."))
    text = models.TextField(_("wording"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("legal or contractual reference")
        verbose_name_plural = _("legal and contractual references")

    def __str__(self) -> str:
        return self.title


class LetterTemplate(models.Model):
    """A letter per outcome and language, written with Django template placeholders."""

    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    name = models.CharField(_("name"), max_length=200)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["outcome", "language", "name"]
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class Letter(models.Model):
    """A letter to the customer about one card: drafted, checked, then sent once."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="letters")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    template = models.ForeignKey(
        LetterTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("template"),
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    references = models.ManyToManyField(
        LegalReference, blank=True, related_name="+", verbose_name=_("legal and contractual references"),
    )
    enclosures = models.ManyToManyField(Attachment, blank=True, related_name="+", verbose_name=_("enclosures"))
    # The named person with direct contacts the letter is signed by (Listen–Apologise–Solve–Thank).
    signed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("signed by"),
    )
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Why it went out with open findings of the tone check; kept on the timeline too.
    tone_reason = models.TextField(_("reason to send despite the tone check"), blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.subject}"
