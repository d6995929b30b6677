"""Every app form lists model instances in one query (core/forms.py): on PostgreSQL, Django's own
fields open a server-side cursor for it."""

import importlib
import pkgutil

import pytest
from django import forms
from django.db import connection
from django.db.models import QuerySet

import amends
from amends.accounts.models import User
from amends.complaints.forms import RegisterForm
from amends.core.forms import ListedChoiceField, ListedChoices, ListedMultipleChoiceField


def app_forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(amends.__path__, "amends."):
        if ".tests" not in module.name and ".migrations" not in module.name:
            importlib.import_module(module.name)
    found, pending = [], [forms.BaseForm]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            # The Django admin builds its forms' fields itself (formfield_for_dbfield).
            module = subclass.__module__
            if module.startswith("amends.") and ".tests." not in module and not module.endswith(".admin"):
                found.append(subclass)
    return found


def test_every_app_form_lists_instances_in_one_query():
    """The fields a form declares or takes from its model; ruff's TID251 refuses Django's anywhere else."""
    found = app_forms()
    assert len(found) > 50
    django_lists = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in found for name, field in getattr(form, "base_fields", {}).items()
        if isinstance(field, forms.ModelChoiceField) and not issubclass(field.iterator, ListedChoices)
    ]
    assert django_lists == []


class DjangoPeople(forms.Form):
    person = forms.ModelChoiceField(queryset=User.objects.order_by("username"))
    people = forms.ModelMultipleChoiceField(queryset=User.objects.order_by("username"), required=False)


class People(forms.Form):
    person = ListedChoiceField(queryset=User.objects.order_by("username"))
    people = ListedMultipleChoiceField(queryset=User.objects.order_by("username"), required=False)


def without_blank_lines(html: str) -> str:
    return "\n".join(line for line in html.splitlines() if line.strip())


def test_the_listed_fields_offer_what_django_s_offer_without_iterator(responsible, qms, monkeypatch):
    data = {"person": responsible.pk, "people": [responsible.pk, qms.pk]}
    django_form, form = DjangoPeople(data), People(data)
    django_html = [without_blank_lines(str(django_form[name])) for name in ("person", "people")]
    assert django_form.is_valid()

    def cursor(*args, **kwargs):
        raise AssertionError("iterator(): a server-side cursor on PostgreSQL, three round trips")

    monkeypatch.setattr(QuerySet, "iterator", cursor)
    assert [without_blank_lines(str(form[name])) for name in ("person", "people")] == django_html
    assert form.is_valid() and form.cleaned_data["person"] == django_form.cleaned_data["person"]
    assert list(form.cleaned_data["people"]) == list(django_form.cleaned_data["people"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's server-side cursors")
def test_the_registration_form_declares_no_cursor_on_postgresql(operator, tmp_path):
    """What libpq sends the server: Django logs the cursor's SELECT, not the DECLARE around it."""
    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    trace = tmp_path / "libpq.trace"
    with trace.open("w") as file:
        pgconn.trace(file.fileno())
        try:
            html = str(RegisterForm())
        finally:
            pgconn.untrace()
    sent = trace.read_text()
    assert 'FROM "customers_product"' in sent and 'FROM "accounts_department"' in sent  # the lists were read
    assert "DECLARE" not in sent.upper()
    assert 'name="department_concerned"' in html
