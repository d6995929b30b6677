"""Sending the answer letter: the request, the channels offered, a delivery, and the refusals."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from amends.answers.models import Delivery, DeliveryChannel
from amends.complaints.inputs import TEXT_MAX_LENGTH

from ..schema import ErrorSerializer, ValidationErrorSerializer
from .answers_letters import ProblemSerializer
from .fields import StrictCharField
from .refs import UserRefSerializer


class AnswerSendInputSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=DeliveryChannel.choices, help_text=_("How the letter is sent."))
    reason = StrictCharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH,
        help_text=_("Why the letter goes despite the tone check's findings; required when there are any."),
    )


class PostedInputSerializer(serializers.Serializer):
    posted_on = serializers.DateField(help_text=_("The day the letter was posted: when it left."))


class ChannelOfferSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=DeliveryChannel.choices)
    label = serializers.CharField()  # type: ignore[assignment]  # the field, not the serializer's label
    recipient = serializers.CharField(help_text=_("Where it goes: an address, a chat, a page."))


class DeliverySerializer(serializers.ModelSerializer):
    sent_by = UserRefSerializer(allow_null=True)

    class Meta:
        model = Delivery
        fields = [
            "id", "letter", "channel", "recipient", "status", "attempts", "error", "final", "attachments",
            "created_at", "sent_at", "sent_by",
        ]
        read_only_fields = fields


class AnswerBlockedSerializer(ErrorSerializer):
    problems = ProblemSerializer(many=True, required=False, help_text=_(
        "With the code letter_blocked: what stops the letter, each with where it is put right."))


class ReasonRequiredSerializer(ValidationErrorSerializer):
    problems = ProblemSerializer(many=True, required=False, help_text=_("The tone check's findings, when those "
                                                                         "are why the reason is asked for."))
