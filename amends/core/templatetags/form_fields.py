"""A form's field with its label, help and errors, written in Python: a template included per field
cost the card page (26 fields) about an eighth of its CPU."""

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

from amends.core.markup import escaped

register = template.Library()


@register.simple_tag
def field_row(field: BoundField) -> SafeString:
    if field.is_hidden:
        return SafeString(f"{escaped(field)}\n")
    classes = (" has-error" if field.errors else "") + (" required" if field.field.required else "")
    if field.widget_type == "checkbox":
        control = f"\n    <label>{escaped(field)} {escaped(field.label)}</label>\n  "
    else:
        label = f'<label for="{escaped(field.id_for_label)}">{escaped(field.label)}</label>'
        control = f"\n    {label}\n    {escaped(field)}\n  "
    help_text = f'<small class="help">{escaped(field.help_text)}</small>' if field.help_text else ""
    errors = "".join(f'<div class="error" role="alert">{escaped(error)}</div>' for error in field.errors)
    return SafeString(f'\n<div class="field{classes}">\n  {control}\n  {help_text}\n  {errors}\n</div>\n\n')
