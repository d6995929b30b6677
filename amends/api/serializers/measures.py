"""A card's measures: planned, reported on, shown."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from amends.accounts.models import User
from amends.complaints.access import can_report_measure
from amends.complaints.inputs import TEXT_MAX_LENGTH
from amends.complaints.models import Measure

from .fields import StrictCharField, StrictPrimaryKeyRelatedField
from .refs import UserRefSerializer


class MeasureInputSerializer(serializers.Serializer):
    description = StrictCharField(max_length=TEXT_MAX_LENGTH, help_text=_("What is to be done."))
    executor = StrictPrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        help_text=_("User ID of the executor: an executor, a responsible person or the head of the QMS."),
    )
    due_date = serializers.DateField()


class MeasureReportInputSerializer(serializers.Serializer):
    report = StrictCharField(max_length=TEXT_MAX_LENGTH, help_text=_("What was done."))


class MeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    executor = UserRefSerializer()
    due_date = serializers.DateField()
    approved_by = UserRefSerializer(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    report = serializers.CharField()
    done_at = serializers.DateTimeField(allow_null=True)
    can_report = serializers.SerializerMethodField()

    def get_can_report(self, measure: Measure) -> bool:
        """Whether the requesting user may report on it now: the card's "Report" button in the UI."""
        return can_report_measure(self.context["request"].user, measure)
