"""AuditedAdmin: the ModelAdmin base every app's admin uses, so that each change made in the admin is
appended to the audit chain; and the audit log itself, which the admin shows and never changes."""

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict

from .models import Action, AuditEntry
from .services import audit_record_object

# Never copied into the log: a password hash is a secret even when hashed.
SECRET_FIELDS = {"password"}


def _value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set, models.QuerySet)):
        return sorted(_value(item) for item in value)
    if isinstance(value, FieldFile):  # its name; an empty one has no url to ask for
        return value.name or ""
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """Every field and many-to-many set of the object, by name, as plain values."""
    return {name: _value(value) for name, value in model_to_dict(obj).items() if name not in SECRET_FIELDS}


class AuditedAdmin(admin.ModelAdmin):
    """Appends an entry for each add, change and delete. The entry is written in the admin's own
    transaction, so a change is never saved without it."""

    def save_model(self, request, obj, form, change):
        if change and obj.pk is not None:
            stored = type(obj)._base_manager.filter(pk=obj.pk).first()
            request._audit_before = snapshot(stored) if stored is not None else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(request, "_audit_before", {}) if change else {}
        after = snapshot(obj)
        changes = {name: [before.get(name), value] for name, value in after.items()
                   if not change or before.get(name) != value}
        for formset in formsets:
            self._formset_changes(formset, changes)
        if change and not changes:
            return
        audit_record_object(actor=request.user, action=Action.CHANGE if change else Action.CREATE,
                            obj=obj, changes=changes)
        request._audit_written = True

    @staticmethod
    def _formset_changes(formset, changes: dict[str, Any]) -> None:
        """Inline rows (working hours of a calendar, contacts of an organisation) as part of the parent."""
        name = formset.model._meta.model_name
        for obj in formset.new_objects:
            changes[f"{name}:{obj.pk}"] = [None, snapshot(obj)]
        for obj, fields in formset.changed_objects:
            changes[f"{name}:{obj.pk}"] = [fields, snapshot(obj)]
        for obj in formset.deleted_objects:
            changes[f"{name}:{obj.pk}"] = [snapshot(obj), None]

    def log_change(self, request, obj, message):
        # Views that save without save_model (a user's password form) still leave an entry.
        if not getattr(request, "_audit_written", False):
            audit_record_object(actor=request.user, action=Action.CHANGE, obj=obj,
                                changes={"message": str(message)})
        return super().log_change(request, obj, message)

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_record_object(actor=request.user, action=Action.DELETE, obj=obj, changes=snapshot(obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                audit_record_object(actor=request.user, action=Action.DELETE, obj=obj, changes=snapshot(obj))
            super().delete_queryset(request, queryset)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("seq", "created_at", "actor_name", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("actor_name", "object_repr", "object_pk")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
