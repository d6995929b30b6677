"""Corrective and preventive actions, their reports and effectiveness checks with the evidence."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from amends.accounts.models import User
from amends.capa.choices import ActionKind, ActionStatus
from amends.complaints.inputs import TEXT_MAX_LENGTH

from .fields import StrictBooleanField, StrictCharField, StrictPrimaryKeyRelatedField
from .refs import UserRefSerializer


class CheckSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    effective = serializers.BooleanField()
    comment = serializers.CharField()
    checked_by = UserRefSerializer()
    checked_at = serializers.DateTimeField()
    evidence = serializers.JSONField(help_text=_("The evidence as it was when checked (as …/evidence/ shows it)."))


class ActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    description = serializers.CharField()
    owner = UserRefSerializer()
    due_date = serializers.DateField()
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    report = serializers.CharField()
    done_at = serializers.DateTimeField(allow_null=True)
    check_on = serializers.DateField(help_text=_("The date of its effectiveness check."))
    measure = serializers.IntegerField(source="measure_id", allow_null=True,
                                       help_text=_("ID of the complaint's measure it was promoted from."))
    checks = CheckSerializer(many=True, source="checks.all")


class ActionPlanSerializer(serializers.Serializer):
    owner = StrictPrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    kind = serializers.ChoiceField(choices=ActionKind.choices, required=False, default=ActionKind.CORRECTIVE)
    description = StrictCharField(max_length=TEXT_MAX_LENGTH)
    due_date = serializers.DateField(help_text=_("Today or later."))
    check_on = serializers.DateField(required=False, allow_null=True, default=None, help_text=_(
        "After the due date; null: the set number of days after it."))


class ActionReportSerializer(serializers.Serializer):
    report = StrictCharField(max_length=TEXT_MAX_LENGTH)
    done = StrictBooleanField(required=False, default=False, help_text=_("The action is done."))


class ActionCancelSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=500)


class ActionRescheduleSerializer(serializers.Serializer):
    due_date = serializers.DateField()
    check_on = serializers.DateField(required=False, allow_null=True, default=None)


class CheckInputSerializer(serializers.Serializer):
    effective = StrictBooleanField(help_text=_("false reopens the nonconformity and plans the action again."))
    comment = StrictCharField(max_length=TEXT_MAX_LENGTH)


class DimensionSerializer(serializers.Serializer):
    dimension = serializers.CharField(help_text=_("cause, product, component or supplier"))
    # A declared field: the metaclass takes it off the class, so Field's own attribute stays.
    label = serializers.CharField()  # type: ignore[assignment]
    before = serializers.ListField(child=serializers.CharField(), help_text=_("Complaint numbers."))
    after = serializers.ListField(child=serializers.CharField(), help_text=_("Complaint numbers."))
    count_before = serializers.IntegerField()
    count_after = serializers.IntegerField()


class EvidenceSerializer(serializers.Serializer):
    before_from = serializers.DateTimeField()
    done_at = serializers.DateTimeField(help_text=_("Before: from before_from to done_at; after: from done_at."))
    until = serializers.DateTimeField()
    dimensions = DimensionSerializer(many=True)
    early = serializers.BooleanField(help_text=_("Before the check date: too little time may have passed to tell."))


class PromoteInputSerializer(serializers.Serializer):
    nonconformity = serializers.CharField(required=False, allow_blank=True, default="", help_text=_(
        "Number of a nonconformity still taking actions; empty: a new one is opened from the measure."))
    title = StrictCharField(max_length=300, required=False, allow_blank=True, default="")
    due_date = serializers.DateField(required=False, allow_null=True, default=None, help_text=_(
        "The action's due date; null: the measure's, while it has not passed."))


