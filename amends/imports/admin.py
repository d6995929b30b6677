"""The imports in the admin: the saved mappings (renamed, corrected or deleted here) and the runs, read
only, each with a link to its page; "add" leads to the upload screen, where a run is started."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from amends.audit.admin import AuditedAdmin

from .models import ImportMapping, ImportRun


@admin.register(ImportMapping)
class ImportMappingAdmin(AuditedAdmin):
    list_display = ("name", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ImportRun)
class ImportRunAdmin(AuditedAdmin):
    list_display = ("created_at", "original_name", "source", "status", "created", "skipped", "rejected",
                    "started_by", "screen_link")
    list_filter = ("status", "source")
    search_fields = ("original_name", "source")
    date_hierarchy = "created_at"

    @admin.display(description=_("page"))
    def screen_link(self, run: ImportRun) -> str:
        return format_html('<a href="{}">{}</a>', reverse("imports:run", args=[run.pk]), _("Show the run"))

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("imports:upload")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):  # the record of what came in, kept with the cards
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]
