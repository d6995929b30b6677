"""The header's link to the nonconformities, for those who see them (asked once per request), and
the app's tabs each shown to whom its page opens (access.TABS)."""

from django import template

from ..access import can_see_nonconformities_in_request, tabs_shown

register = template.Library()


@register.filter
def sees_nonconformities(user) -> bool:
    return can_see_nonconformities_in_request(user)


@register.filter
def capa_tabs(user) -> set[str]:
    return tabs_shown(user)
