"""The header's link to the nonconformities, for those who see them (asked once per request)."""

from django import template

from ..access import can_see_nonconformities_in_request

register = template.Library()


@register.filter
def sees_nonconformities(user) -> bool:
    return can_see_nonconformities_in_request(user)
