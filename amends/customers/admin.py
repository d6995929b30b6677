from django.contrib import admin

from amends.audit.admin import AuditedAdmin

from .models import Component, Contact, Organisation, Product, Supplier


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ("full_name", "position", "phone", "email")


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("name", "tax_id", "phone", "email", "is_key_account")
    search_fields = ("name", "tax_id")
    list_filter = ("is_key_account",)
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(AuditedAdmin):
    list_display = ("full_name", "organisation", "phone", "email", "provisional")
    list_filter = ("provisional",)
    search_fields = ("full_name", "phone", "email", "organisation__name")
    autocomplete_fields = ("organisation",)


@admin.register(Product, Supplier)
class ReferenceAdmin(AuditedAdmin):
    list_display = ("name", "name_en", "is_active")
    search_fields = ("name", "name_en")


@admin.register(Component)
class ComponentAdmin(AuditedAdmin):
    list_display = ("name", "product", "supplier", "is_active")
    list_filter = ("supplier",)
    search_fields = ("name", "name_en")
