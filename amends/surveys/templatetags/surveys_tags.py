from django import template

from ..access import can_see_surveys
from ..nav import nav_links
from ..norms import segment_label

register = template.Library()


@register.simple_tag(takes_context=True)
def surveys_nav(context) -> list[dict]:
    request = context["request"]
    match = request.resolver_match
    current = f"{match.namespace}:{match.url_name}" if match else ""
    return nav_links(request.user, current)


@register.filter
def norm_segment(key: str) -> str:
    return segment_label(key)


@register.filter
def sees_surveys(user) -> bool:
    """The top bar's "Surveys" link: for those who see the surveys' figures."""
    return can_see_surveys(user)
