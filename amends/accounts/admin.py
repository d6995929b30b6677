from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Department, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    # Django's UserAdmin always sets fieldsets; its stub keeps ModelAdmin's "or None".
    fieldsets = DjangoUserAdmin.fieldsets + (  # type: ignore[operator]
        (_("Amends"), {"fields": ("position", "phone", "department", "language", "time_zone")}),
    )
    list_display = ("username", "first_name", "last_name", "position", "department", "is_active")
    list_filter = ("groups", "department", "is_active")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "head", "is_active")
    search_fields = ("name", "name_en")
