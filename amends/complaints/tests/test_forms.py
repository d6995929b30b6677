from django import forms
from django.db.models import QuerySet

from amends.accounts.models import User
from amends.complaints.forms import BulkAssignForm, quick_widgets


class People(forms.Form):
    person = forms.ModelChoiceField(queryset=User.objects.order_by("username"))


def without_blank_lines(html: str) -> str:
    return "\n".join(line for line in html.splitlines() if line.strip())


def test_quick_widgets_list_the_same_instances_without_a_server_side_cursor(responsible, qms, monkeypatch):
    django_options = without_blank_lines(str(People()["person"]))
    form = People()
    quick_widgets(form)

    def cursor(*args, **kwargs):
        raise AssertionError("iterator(): a server-side cursor on PostgreSQL, three round trips")

    monkeypatch.setattr(QuerySet, "iterator", cursor)
    assert without_blank_lines(str(form["person"])) == django_options
    # A form that sets its list after the quick widgets keeps them (the list's bulk assign).
    assert responsible.username in str(BulkAssignForm()["responsible"])
