from django import forms
from django.db.models import QuerySet
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _lazy

from amends.complaints.forms import BulkAssignForm, ComplaintFilterForm, quick_widgets


def without_blank_lines(html: str) -> str:
    return "\n".join(line for line in html.splitlines() if line.strip())


def test_the_list_s_forms_read_their_lists_without_a_server_side_cursor(responsible, qms, monkeypatch):
    """Their lists are added after the form's own fields: the bulk assign's responsible, other apps' filters."""
    def cursor(*args, **kwargs):
        raise AssertionError("iterator(): a server-side cursor on PostgreSQL, three round trips")

    monkeypatch.setattr(QuerySet, "iterator", cursor)
    assert responsible.username in str(BulkAssignForm()["responsible"])
    assert f'value="{qms.pk}"' in "".join(str(field) for field in ComplaintFilterForm())


class Widgets(forms.Form):
    """Every widget QuickRenderer writes, with text to escape in values, labels and attributes."""

    name = forms.CharField(label="Name", initial='A "quoted" <name> & co', max_length=5,
                           widget=forms.TextInput(attrs={"placeholder": "<who>", "autofocus": True, "hidden": False}))
    count = forms.IntegerField(initial=3, min_value=1)
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    urgent = forms.BooleanField(initial=True, required=False)
    token = forms.CharField(widget=forms.HiddenInput, initial="t<1>")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), initial="<script>alert('x')</script>")
    kind = forms.ChoiceField(initial="b&", choices=[
        ("", _lazy("— any —")), ("a", mark_safe("<b>A</b>")), ("b&", 'B & "b"'),
        (_lazy("Group <1>"), [("c", "C < c"), ("d", _lazy("D"))]),
    ])


def test_quick_widgets_write_what_djangos_templates_write():
    django_html = [without_blank_lines(str(field)) for field in Widgets()]
    form = Widgets()
    quick_widgets(form)
    assert [without_blank_lines(str(field)) for field in form] == django_html
    assert "&lt;script&gt;" in str(form["note"]) and "<b>A</b>" in str(form["kind"])
