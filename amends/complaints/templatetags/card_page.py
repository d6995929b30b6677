"""Renders one panel of the card page with the context its app computed (card_page.card_context):
nothing is read here."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def card_panel(context, panel):
    # As {% include %} does: the page's context with the panel's own on top.
    panel_template = context.template.engine.get_template(panel.template)
    with context.push(panel.context):
        return panel_template.render(context)
