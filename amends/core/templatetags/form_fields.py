"""A form's field with its label, help and errors, written in Python: a template included per field
cost the card page (26 fields) about an eighth of its CPU."""

from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def field_row(field: BoundField) -> SafeString:
    if field.is_hidden:
        return format_html("{}\n", field)
    classes = (" has-error" if field.errors else "") + (" required" if field.field.required else "")
    if field.widget_type == "checkbox":
        control = format_html("\n    <label>{} {}</label>\n  ", field, field.label)
    else:
        control = format_html('\n    <label for="{}">{}</label>\n    {}\n  ', field.id_for_label, field.label, field)
    help_text = format_html('<small class="help">{}</small>', field.help_text) if field.help_text else ""
    errors = format_html_join("", '<div class="error" role="alert">{}</div>', ((error,) for error in field.errors))
    return format_html('\n<div class="field{}">\n  {}\n  {}\n  {}\n</div>\n\n', classes, control, help_text, errors)
