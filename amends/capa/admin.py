"""The CAPA admin. Nonconformities are read here, never written: a record changes only through its
services, which keep its timeline (the record's page is where it is worked on). Each part appends
its own ModelAdmin classes below."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from amends.audit.admin import AuditedAdmin
from amends.core.errors import AccessDenied
from amends.customers.admin import ReferenceAdmin
from amends.customers.models import Supplier

from .forms.supplier_admin import NORM_AT_LEAST_ONE, SupplierMergeForm, SupplierNormForm
from .models import CapaSettings, Nonconformity, NonconformityComplaint, NonconformityEvent, SupplierNorm
from .suppliers import supplier_merge


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class NonconformityComplaintInline(ReadOnlyInline):
    model = NonconformityComplaint
    fields = ("complaint", "linked_by", "linked_at")
    readonly_fields = fields


class NonconformityEventInline(ReadOnlyInline):
    model = NonconformityEvent
    fields = ("at", "actor", "kind", "text")
    readonly_fields = fields


@admin.register(Nonconformity)
class NonconformityAdmin(AuditedAdmin):
    list_display = ("number", "title", "state", "kind", "source", "owner", "supplier", "opened_at")
    list_filter = ("state", "kind", "source")
    search_fields = ("number", "title")
    list_select_related = ("owner", "supplier")
    date_hierarchy = "opened_at"
    inlines = [NonconformityComplaintInline, NonconformityEventInline]

    def has_add_permission(self, request) -> bool:
        return False  # opened on the register (capa:new), which numbers it and starts its timeline

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # an ISO 9001 record is kept

    def view_on_site(self, obj: Nonconformity) -> str:
        return reverse("capa:record", args=[obj.number])



NORM_FIELDS = ("norm_period", "manufacturer_norm", "all_suppliers_norm", "supplier_norm")
PROPOSAL_FIELDS = ("cluster_size", "cluster_window_days", "growth_min_count", "growth_percent")
DEADLINE_FIELDS = ("analysis_days", "plan_days", "effectiveness_days")


class CapaSettingsForm(forms.ModelForm):
    class Meta:
        model = CapaSettings
        fields = [*NORM_FIELDS, *PROPOSAL_FIELDS, *DEADLINE_FIELDS]
        error_messages = {name: {"min_value": NORM_AT_LEAST_ONE} for name in NORM_FIELDS[1:]}


@admin.register(CapaSettings)
class CapaSettingsAdmin(AuditedAdmin):
    """One row (pk 1): the list opens it, and there is none to add or delete."""

    form = CapaSettingsForm
    fieldsets = (
        (_("Norms"), {"fields": NORM_FIELDS}),
        (_("Proposals"), {"fields": PROPOSAL_FIELDS}),
        (_("Deadlines"), {"fields": DEADLINE_FIELDS}),
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        return redirect(reverse("admin:capa_capasettings_change", args=[CapaSettings.current().pk]))


@admin.register(SupplierNorm)
class SupplierNormAdmin(AuditedAdmin):
    form = SupplierNormForm
    list_display = ("supplier", "norm")
    search_fields = ("supplier__name", "supplier__name_en")
    autocomplete_fields = ("supplier",)


class SupplierNormInline(admin.TabularInline):
    model = SupplierNorm
    form = SupplierNormForm
    fields = ("norm",)
    extra = 0
    max_num = 1
    can_delete = True


@admin.action(description=_("Merge the selected suppliers into another"))
def merge_suppliers(modeladmin, request, queryset):
    form = SupplierMergeForm(request.POST if "target" in request.POST else None)
    if form.is_valid():
        target = form.cleaned_data["target"]
        for source in queryset:
            try:
                moved = supplier_merge(actor=request.user, source=source, target=target)
            except (ValidationError, AccessDenied) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                modeladmin.message_user(request, text, messages.ERROR)
            else:
                modeladmin.message_user(request, _(
                    "%(source)s merged into %(target)s: %(complaints)d complaints, %(components)d components, "
                    "%(nonconformities)d nonconformities moved."
                ) % {"source": source, "target": target, **moved}, messages.SUCCESS)
        return None
    return render(request, "capa/admin/supplier_merge.html", {
        **modeladmin.admin_site.each_context(request), "title": _("Merge suppliers"), "form": form,
        "suppliers": queryset, "action": "merge_suppliers", "opts": modeladmin.model._meta,
    })


# Customers' supplier page, with what CAPA adds to it: the supplier's own norm and the merge.
admin.site.unregister(Supplier)


@admin.register(Supplier)
class SupplierAdmin(ReferenceAdmin):
    list_filter = ("is_active",)
    readonly_fields = ("merged_into",)
    inlines = [SupplierNormInline]
    actions = [merge_suppliers]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "merged_into"]
