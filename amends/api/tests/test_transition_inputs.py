"""A step's data is declared once, as inputs in the lifecycle table: the card's form and the API's
serializer both build their fields from that declaration."""

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from amends.api.serializers.transitions import INPUT_FIELDS, TransitionInputSerializer
from amends.complaints import transitions as tr
from amends.complaints.choices import Importance, State
from amends.complaints.forms import FORM_FIELDS, TransitionForm
from amends.complaints.inputs import INT, KINDS, TEXT, Input

from .helpers import url


def test_every_kind_of_input_has_a_form_field_and_an_api_field():
    assert set(FORM_FIELDS) == set(INPUT_FIELDS) == set(KINDS)


def _limits(field) -> tuple:
    """What a form field or a serializer field accepts, comparable between the two."""
    queryset = getattr(field, "queryset", None)
    choices = [] if queryset is not None else getattr(field, "choices", [])
    if isinstance(choices, dict):  # REST framework's
        choices = choices.items()
    return (
        [value for value, _label in choices if value != ""],  # the form's empty choice is its "—"
        getattr(field, "min_value", None), getattr(field, "max_value", None),
        getattr(field, "max_length", None), queryset.model if queryset is not None else None,
    )


@pytest.mark.parametrize("name", sorted(tr.TRANSITIONS))
def test_the_form_and_the_api_take_the_same_data_within_the_same_bounds(name, complaint):
    transition = tr.TRANSITIONS[name]
    form = TransitionForm(transition, complaint)
    api_fields = TransitionInputSerializer().fields
    names = [spec.name for spec in transition.inputs]
    assert [n for n in form.fields if n not in ("version", "comment")] == names
    for spec in transition.inputs:
        assert _limits(form.fields[spec.name]) == _limits(api_fields[spec.name]), spec.name
        assert form.fields[spec.name].label == spec.label


def test_a_name_means_one_input(monkeypatch):
    other = tr.Transition(
        "other", "Other", frozenset({State.REGISTERED}), State.ASSIGNED, frozenset({tr.QMS}),
        lambda complaint, data, actor: None, inputs=(Input("opinion", TEXT, "Opinion, again"),),
    )
    monkeypatch.setitem(tr.TRANSITIONS, "other", other)
    with pytest.raises(ImproperlyConfigured):
        tr.transition_inputs()


@pytest.fixture
def escalate(monkeypatch):
    """A step that exists only in this test, with a datum no other step asks for."""
    recorded = []

    def apply(complaint, data, actor):
        recorded.append(data)
        complaint.importance = Importance.CRITICAL

    urgency = Input("urgency", INT, "Urgency", required=True, min_value=1, max_value=3)
    transition = tr.Transition(
        "escalate", "Escalate", frozenset({State.REGISTERED}), State.ASSIGNED, frozenset({tr.QMS}), apply,
        inputs=(urgency,),
    )
    monkeypatch.setitem(tr.TRANSITIONS, "escalate", transition)
    return transition, recorded


def test_a_new_input_shows_up_in_the_form_and_the_api(escalate, complaint):
    transition, _recorded = escalate
    field = TransitionForm(transition, complaint).fields["urgency"]
    assert isinstance(field, forms.IntegerField)
    assert (field.label, field.required, field.min_value, field.max_value) == ("Urgency", True, 1, 3)
    api_field = TransitionInputSerializer().fields["urgency"]
    assert (api_field.min_value, api_field.max_value) == (1, 3)
    assert not TransitionForm(transition, complaint, {"escalate-version": 1, "escalate-urgency": 4}).is_valid()


def test_a_new_input_reaches_the_step_from_the_card_and_from_the_api(escalate, client, api, qms, complaint):
    _transition, recorded = escalate
    client.force_login(qms)
    page = client.post(
        reverse("complaints:transition", args=[complaint.number, "escalate"]),
        {"escalate-version": complaint.version, "escalate-urgency": "2"},
    )
    assert page.status_code == 302
    assert recorded == [{"urgency": 2}]

    complaint.refresh_from_db()
    complaint.state = State.REGISTERED
    complaint.save(update_fields=["state"])
    step = {"transition": "escalate", "version": complaint.version}
    assert api(qms).post(url(complaint, "transitions"), {**step, "urgency": 4}, format="json").status_code == 400
    response = api(qms).post(url(complaint, "transitions"), {**step, "urgency": 3}, format="json")
    assert response.status_code == 200, response.json()
    assert recorded[-1] == {"urgency": 3}
