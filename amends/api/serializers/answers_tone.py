"""The tone check and the message to the customer it guards."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from amends.complaints.inputs import TEXT_MAX_LENGTH

from .fields import StrictCharField


class ToneCheckInputSerializer(serializers.Serializer):
    text = StrictCharField(max_length=TEXT_MAX_LENGTH, allow_blank=True)
    language = serializers.ChoiceField(
        choices=[("", "")] + list(settings.LANGUAGES), required=False, default="",
        help_text=_("Empty: the language the text is written in."),
    )


class ToneFindingSerializer(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    matched = serializers.CharField()
    words = serializers.ListField(child=serializers.CharField())
    phrase = serializers.CharField()
    replacement = serializers.CharField()


class ToneChecklistItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the field, not the serializer's label
    ok = serializers.BooleanField()


class ToneReportSerializer(serializers.Serializer):
    language = serializers.CharField()
    findings = ToneFindingSerializer(many=True)
    checklist = ToneChecklistItemSerializer(many=True)


class CustomerMessageInputSerializer(serializers.Serializer):
    text = StrictCharField(max_length=TEXT_MAX_LENGTH)
    reason = StrictCharField(
        max_length=TEXT_MAX_LENGTH, required=False, default="", allow_blank=True,
        help_text=_("Needed when the tone check finds something; kept on the timeline."),
    )
