"""The head of the QMS or the administrator carries out a person's request from the contact list:
export (a zip with JSON, PDF and files) or erase, after a confirmation page. Erasures are read-only."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from amends.audit.admin import AuditedAdmin
from amends.customers.admin import ContactAdmin
from amends.customers.models import Contact

from .export import personal_data_zip
from .models import Erasure
from .services import access_personal_data, personal_data_erase


@admin.action(description=_("Export personal data (zip: JSON, PDF, files)"))
def export_personal_data(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Contact]):
    access_personal_data(request.user)  # type: ignore[arg-type]
    if queryset.count() != 1:
        modeladmin.message_user(request, _("Select one contact person to export."), messages.ERROR)
        return None
    contact = queryset.get()
    try:
        content = personal_data_zip(contact=contact)
    except ValidationError as refused:
        modeladmin.message_user(request, " ".join(refused.messages), messages.ERROR)
        return None
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="personal-data-{contact.pk}.zip"'
    return response


@admin.action(description=_("Erase personal data on request"))
def erase_personal_data(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Contact]):
    access_personal_data(request.user)  # type: ignore[arg-type]
    if request.POST.get("confirmed") != "yes":
        return TemplateResponse(request, "privacy/erase_confirm.html", {
            **modeladmin.admin_site.each_context(request), "contacts": queryset,
            "title": _("Erase personal data"), "opts": modeladmin.model._meta,
            "action_name": "erase_personal_data",
        })
    reason = request.POST.get("reason", "").strip()
    done: set[int] = set()
    for contact in queryset:
        if contact.pk in done:
            continue
        erasure = personal_data_erase(contact=contact, actor=request.user, reason=reason)  # type: ignore[arg-type]
        done.update(erasure.contacts.values_list("pk", flat=True))
        modeladmin.message_user(request, _("Erased: %(cards)s cards, %(contacts)s contact rows.") % erasure.scope)
    return None


class PrivacyContactAdmin(ContactAdmin):
    actions = [export_personal_data, erase_personal_data]

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        try:
            access_personal_data(request.user)  # type: ignore[arg-type]
        except PermissionDenied:
            actions.pop("export_personal_data", None)
            actions.pop("erase_personal_data", None)
        return actions


admin.site.unregister(Contact)
admin.site.register(Contact, PrivacyContactAdmin)


@admin.register(Erasure)
class ErasureAdmin(AuditedAdmin):
    list_display = ("created_at", "kind", "requested_by", "reason")
    list_filter = ("kind",)
    readonly_fields = ("created_at", "kind", "requested_by", "reason", "contacts", "scope")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
