from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from amends.audit.admin import AuditedAdmin

from .models import CompensationLimit, CompensationOption, StopPhrase
from .tone import phrase_compile


class CompensationLimitInline(admin.TabularInline):
    """A role with no row may not grant the option; an empty limit is without limit."""

    model = CompensationLimit
    extra = 1


@admin.register(CompensationOption)
class CompensationOptionAdmin(AuditedAdmin):
    list_display = ("name", "kind", "cost", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "description")
    inlines = [CompensationLimitInline]


class StopPhraseForm(forms.ModelForm):
    class Meta:
        model = StopPhrase
        fields = ("language", "phrase", "replacement", "source", "active")

    def clean(self):
        data = super().clean() or {}
        phrase, language = data.get("phrase", ""), data.get("language", "")
        if phrase and language and not phrase_compile(phrase, language).variants:
            self.add_error("phrase", _("The phrase has no words to match."))
        return data


@admin.register(StopPhrase)
class StopPhraseAdmin(AuditedAdmin):
    """Tone check: administrators extend the phrases to avoid, per language (answers/tone.py)."""

    form = StopPhraseForm
    list_display = ("phrase", "language", "replacement", "source", "active")
    list_filter = ("language", "active")
    search_fields = ("phrase", "replacement")
