from django import forms
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from amends.audit.admin import AuditedAdmin

from .models import LegalReference, Letterhead, LetterTemplate
from .sandbox import template_validate


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
    list_display = ("title", "kind", "is_active")
    list_filter = ("kind", "is_active")
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
    list_display = ("name", "outcome", "language", "is_active", "updated_at")
    list_filter = ("outcome", "language", "is_active")
    search_fields = ("name", "subject", "body")
