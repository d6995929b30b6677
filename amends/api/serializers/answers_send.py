"""Sending the answer letter: the request, a delivery, and the problems that refuse a letter."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from amends.answers.models import Delivery, DeliveryChannel


class AnswerSendInputSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=DeliveryChannel.choices, help_text=_("How the letter is sent."))
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000,
        help_text=_("Why the letter goes despite the tone check's findings; required when there are any."),
    )


class PostedInputSerializer(serializers.Serializer):
    posted_on = serializers.DateField(help_text=_("The day the letter was posted: when it left."))


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id", "letter", "channel", "recipient", "status", "attempts", "error", "final", "attachments",
            "created_at", "sent_at",
        ]
        read_only_fields = fields


class ProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    url = serializers.CharField(help_text=_("Where it is put right; empty when nowhere in particular."))
    overridable = serializers.BooleanField(help_text=_("A reason to send anyway is enough."))


class AnswerRefusedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text=_("letter_blocked (409) or reason_required (400)."))
    problems = ProblemSerializer(many=True)
