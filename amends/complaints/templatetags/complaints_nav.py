"""The header's link to register a complaint, shown to whom the register page opens: asked of the
user's roles, read once per request, rather than of their permissions (two queries on every page)."""

from django import template

from amends.accounts.access import can_register_complaint

register = template.Library()


@register.filter
def registers_complaints(user) -> bool:
    return can_register_complaint(user)
