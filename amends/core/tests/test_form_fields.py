"""{% field_row %} writes a field as the template it replaced wrote it, byte for byte."""

from django import forms
from django.template import engines
from django.utils import translation

from amends.complaints.forms import quick_widgets

# The template {% field_row %} replaced (includes/field.html), as it was.
TEMPLATE = """{% if field.is_hidden %}{{ field }}{% else %}
<div class="field{% if field.errors %} has-error{% endif %}{% if field.field.required %} required{% endif %}">
  {% if field.widget_type == 'checkbox' %}
    <label>{{ field }} {{ field.label }}</label>
  {% else %}
    <label for="{{ field.id_for_label }}">{{ field.label }}</label>
    {{ field }}
  {% endif %}
  {% if field.help_text %}<small class="help">{{ field.help_text }}</small>{% endif %}
  {% for error in field.errors %}<div class="error" role="alert">{{ error }}</div>{% endfor %}
</div>
{% endif %}
"""


class Sample(forms.Form):
    name = forms.CharField(label="Name <b>&", max_length=5, help_text="At most 5 <letters>.")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A & a"), ("b", "B")])
    urgent = forms.BooleanField(label="Urgent", required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    count = forms.IntegerField(label="Count", min_value=1, help_text="")

    def clean(self):
        raise forms.ValidationError("The whole form <is> wrong.")


def both(form: forms.Form) -> list[tuple[str, str]]:
    engine = engines["django"]
    old, new = engine.from_string(TEMPLATE), engine.from_string("{% load form_fields %}{% field_row field %}")
    return [(old.render({"field": field}), new.render({"field": field})) for field in form]


def test_an_empty_form_is_written_as_the_template_wrote_it():
    for old, new in both(Sample(initial={"name": "Ann", "token": "t<1>", "urgent": True})):
        assert new == old


def test_fields_with_errors_are_written_as_the_template_wrote_them():
    form = Sample(data={"name": "far too long", "kind": "z", "count": "0", "note": "<script>"})
    assert not form.is_valid()
    pairs = both(form)
    assert sum('class="error"' in new for _old, new in pairs) == 3
    for old, new in pairs:
        assert new == old


def test_the_quick_widgets_are_wrapped_alike():
    form = Sample(data={"name": "x", "kind": "b", "urgent": "on", "count": "2"})
    quick_widgets(form)
    form.is_valid()
    for old, new in both(form):
        assert new == old


def test_the_wrapper_shows_label_help_error_and_state():
    form = Sample(data={"name": "far too long"})
    with translation.override("en"):
        form.is_valid()
        name = dict(zip([f.name for f in form], both(form), strict=True))["name"][1]
    assert '<div class="field has-error required">' in name
    assert '<label for="id_name">Name &lt;b&gt;&amp;</label>' in name
    assert '<small class="help">At most 5 &lt;letters&gt;.</small>' in name
    assert '<div class="error" role="alert">Ensure this value has at most 5 characters (it has 12).</div>' in name
