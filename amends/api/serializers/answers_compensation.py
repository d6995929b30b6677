"""A card's compensation: the options a user may grant, the grants, the statutory penalty."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from amends.answers.models import CompensationOption
from amends.complaints.inputs import TEXT_MAX_LENGTH

from .fields import StrictCharField, StrictPrimaryKeyRelatedField
from .refs import RefSerializer, UserRefSerializer


def money(**kwargs) -> serializers.DecimalField:
    """A sum as a decimal string with two places, in AMENDS_CURRENCY."""
    return serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True, **kwargs)


class CompensationOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="option.pk")
    kind = serializers.CharField(source="option.kind")
    name = serializers.CharField(source="option.name")
    description = serializers.CharField(source="option.description")
    cost = money(source="option.cost", help_text=_("What it typically costs the company."))
    limit = money(
        allow_null=True,
        help_text=_("Granted at once up to this value; above it the grant waits for the head of the QMS. "
                    "Null: without limit."),
    )


class CompensationGrantInputSerializer(serializers.Serializer):
    option = StrictPrimaryKeyRelatedField(
        queryset=CompensationOption.objects.filter(is_active=True),
        help_text=_("ID of an option the user may grant (GET …/compensation/options/)."),
    )
    value = serializers.DecimalField(max_digits=12, decimal_places=2)
    method = StrictCharField(max_length=300, help_text=_("How the customer gets it, e.g. bank transfer."))
    due_date = serializers.DateField(help_text=_("The date it is given by."))
    note = StrictCharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")


class CompensationRefuseInputSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=TEXT_MAX_LENGTH, help_text=_("Why it is refused: the granter reads it."))


class CompensationGrantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    option = RefSerializer(help_text=_("The option granted, as the grant's input names it by ID."))
    kind = serializers.CharField(source="option.kind")
    value = money()
    method = serializers.CharField()
    due_date = serializers.DateField()
    note = serializers.CharField()
    status = serializers.CharField(help_text=_("pending (waits for the head of the QMS), approved or refused."))
    granted_by = UserRefSerializer()
    granted_at = serializers.DateTimeField()
    decided_by = UserRefSerializer(allow_null=True, help_text=_("Who approved or refused it above the limit."))
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()


class PenaltySerializer(serializers.Serializer):
    preset = serializers.CharField()
    clock = serializers.CharField(source="clock_kind")
    due_at = serializers.DateTimeField()
    until = serializers.DateTimeField(help_text=_("When the delay ended, or now while it runs."))
    running = serializers.BooleanField()
    days = serializers.IntegerField()
    price = money(allow_null=True, help_text=_("Null: the card has no price yet."))
    amount = money(allow_null=True)


class CompensationSerializer(serializers.Serializer):
    currency = serializers.CharField()
    grants = CompensationGrantSerializer(many=True)
    penalty = PenaltySerializer(allow_null=True, help_text=_(
        "The statutory penalty of a missed consumer-law term (one per cent of the price per day); "
        "null when none was missed."))
