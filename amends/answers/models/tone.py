"""The phrases an answer to a customer should avoid (STOPWORDS.md), per language: data administrators extend."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StopPhrase(models.Model):
    """One phrase to avoid, as word forms (answers/tone.py matches any inflection), with what to say instead.

    `phrase` syntax: variants separated by ";", alternatives for one word by "/", "..." where up to
    three other words may stand, "=" before a word matched only in exactly that form."""

    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    phrase = models.CharField(
        _("phrase"), max_length=500,
        help_text=_('Variants separated by ";", alternatives for one word by "/", "..." where up to three '
                    'other words may stand, "=" before a word to match only that exact form.'),
    )
    replacement = models.TextField(_("say instead"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language", "phrase"]
        verbose_name = _("stop-phrase")
        verbose_name_plural = _("stop-phrases")

    def __str__(self) -> str:
        return f"{self.phrase} ({self.language})"
