from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from amends.audit.admin import AuditedAdmin

from .models import Department, User


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    # Django's UserAdmin always sets fieldsets; its stub keeps ModelAdmin's "or None".
    fieldsets = DjangoUserAdmin.fieldsets + (  # type: ignore[operator]
        (_("Amends"), {"fields": ("position", "phone", "department", "language", "time_zone")}),
    )
    list_display = ("username", "first_name", "last_name", "position", "department", "is_active")
    list_filter = ("groups", "department", "is_active")


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ("name", "name_en", "head", "is_active")
    search_fields = ("name", "name_en")


# Roles are groups: their permissions are audited like any other change.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdmin, DjangoGroupAdmin):
    pass
