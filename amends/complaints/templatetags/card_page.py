"""Renders one panel of the card page with the context its app computed (card_page.card_context),
and a fragment of a panel: in full when card_context computed it (open), else its placeholder.
Nothing is read here."""

from django import template

from ..card_page import FRAGMENTS

register = template.Library()


@register.simple_tag(takes_context=True)
def card_panel(context, panel):
    # As {% include %} does: the page's context with the panel's own on top.
    panel_template = context.template.engine.get_template(panel.template)
    with context.push(panel.context):
        return panel_template.render(context)


@register.simple_tag(takes_context=True)
def card_fragment(context, name, key="", ready=None):
    """`ready`: the panel's own context holds what the fragment shows, since it is open at first
    sight (the form to add the first measure): rendered in full with it."""
    shown = f"{name}-{key}" if key != "" else name
    rendered = context["card_fragments"].get(shown)
    full = rendered is not None or bool(ready)
    template = "complaints/card/fragment.html" if full else "complaints/card/fragment_closed.html"
    with context.push(rendered or {}, fragment_name=shown, fragment_template=FRAGMENTS[name].template):
        return context.template.engine.get_template(template).render(context)
