"""A lifecycle step, its data fields built from the transition table's inputs."""

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from amends.complaints.inputs import BOOL, CHOICE, INT, MAX_INT, MODEL, TEXT, TEXT_MAX_LENGTH, Input
from amends.complaints.transitions import TRANSITIONS, transition_inputs

from .fields import StrictBooleanField, StrictCharField, StrictIntegerField, StrictPrimaryKeyRelatedField


def _choice_field(spec: Input) -> serializers.Field:
    assert spec.choices is not None  # Input insists on them for a CHOICE
    return serializers.ChoiceField(choices=spec.choices.choices, required=False)


def _model_field(spec: Input) -> serializers.Field:
    assert spec.queryset is not None  # Input insists on it for a MODEL
    return StrictPrimaryKeyRelatedField(queryset=spec.queryset(), required=False, allow_null=not spec.required)


# The API's field for each kind of transition input (the web form's are in complaints/forms.py).
# None is required here: the step itself says what is missing, with its own messages.
INPUT_FIELDS: dict[str, Callable[[Input], serializers.Field]] = {
    CHOICE: _choice_field,
    MODEL: _model_field,
    TEXT: lambda spec: StrictCharField(required=False, allow_blank=True, max_length=spec.max_length),
    INT: lambda spec: StrictIntegerField(
        min_value=spec.min_value, max_value=spec.max_value, required=False, allow_null=not spec.required,
    ),
    BOOL: lambda spec: StrictBooleanField(required=False),
}


class TransitionInputSerializer(serializers.Serializer):
    """One lifecycle step; which data fields a step reads is in amends.complaints.transitions."""

    comment = StrictCharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")
    version = StrictIntegerField(
        min_value=1, max_value=MAX_INT, required=False, allow_null=True,
        help_text=_("The card's version you read; a different current version gives 409."),
    )

    def get_fields(self):
        # Built from the table each time, so that the fields always follow it.
        transition = serializers.ChoiceField(choices=[(t.name, t.label) for t in TRANSITIONS.values()])
        inputs = {name: INPUT_FIELDS[spec.kind](spec) for name, spec in transition_inputs().items()}
        return {"transition": transition, **super().get_fields(), **inputs}

    def transition_data(self) -> dict:
        """The fields this transition asks for, as the UI's form would pass them."""
        names = [spec.name for spec in TRANSITIONS[self.validated_data["transition"]].inputs]
        return {name: self.validated_data[name] for name in names if name in self.validated_data}
