from django import forms
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from amends.audit.admin import AuditedAdmin

from .models import CompensationLimit, CompensationOption, LegalReference, Letterhead, LetterTemplate, StopPhrase
from .sandbox import template_validate
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


@admin.register(Letterhead)
class LetterheadAdmin(AuditedAdmin):
    """One row: the list opens it (or the form to make it), and there is no second one to add."""

    list_display = ("name", "phone", "email")

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not Letterhead.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        company = Letterhead.objects.order_by("pk").first()
        if company is None:
            return redirect(reverse("admin:answers_letterhead_add"))
        return redirect(reverse("admin:answers_letterhead_change", args=[company.pk]))


@admin.register(LegalReference)
class LegalReferenceAdmin(AuditedAdmin):
    list_display = ("title", "kind", "language", "is_active")
    list_filter = ("kind", "language", "is_active")
    search_fields = ("title", "text")


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ("outcome", "language", "name", "subject", "body", "is_active")

    def clean(self):
        cleaned = super().clean() or {}
        texts = {field: cleaned[field] for field in ("subject", "body") if cleaned.get(field)}
        try:
            template_validate(**texts)
        except forms.ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, messages)
        return cleaned


@admin.register(LetterTemplate)
class LetterTemplateAdmin(AuditedAdmin):
    form = LetterTemplateForm
    list_display = ("name", "outcome", "language", "is_active", "changed")
    list_filter = ("outcome", "language", "is_active")

    @admin.display(description=_("changed"), ordering="updated_at")
    def changed(self, template: LetterTemplate):
        return template.updated_at
    search_fields = ("name", "subject", "body")
