from django import template

from ..flag_pages import attention_cards

register = template.Library()


@register.inclusion_tag("triage/flags_strip.html", takes_context=True)
def attention_strip(context) -> dict:
    """The list's "needs attention" strip for the signed-in user."""
    return attention_cards(context["request"].user)
