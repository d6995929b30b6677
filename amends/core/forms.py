"""The form fields every app lists model instances with: read in one query. Django's own read them
through iterator(), which on PostgreSQL opens a server-side cursor (DECLARE, FETCH, CLOSE: three
round trips, 2–3 ms more a list). A ModelForm's Meta takes `formfield_callback = listed_formfield`."""

from typing import Any

from django import forms
from django.db import models


class ListedChoices(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ListedChoiceField(forms.ModelChoiceField):  # noqa: TID251 - the one place it is subclassed
    iterator = ListedChoices


class ListedMultipleChoiceField(forms.ModelMultipleChoiceField):  # noqa: TID251 - as above
    iterator = ListedChoices


def listed_formfield(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """A ModelForm's field for the model's field, a relation's listed in one query."""
    if isinstance(db_field, models.ForeignKey):
        kwargs.setdefault("form_class", ListedChoiceField)
    elif isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", ListedMultipleChoiceField)
    return db_field.formfield(**kwargs)
