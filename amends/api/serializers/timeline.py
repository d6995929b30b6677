"""A card's timeline, and the notes and files added to it."""

from rest_framework import serializers

from amends.complaints.choices import EventKind
from amends.complaints.inputs import TEXT_MAX_LENGTH

from .fields import StrictCharField
from .refs import UserRefSerializer


class NoteInputSerializer(serializers.Serializer):
    text = StrictCharField(max_length=TEXT_MAX_LENGTH)


class AttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField(max_length=255)


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class TimelineEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EventKind.choices)
    created_at = serializers.DateTimeField()
    actor = UserRefSerializer(allow_null=True)
    transition = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    field = serializers.CharField()
    old_value = serializers.CharField()
    new_value = serializers.CharField()
    code = serializers.CharField()  # a deadline event's code, e.g. "breached"
    reference = serializers.CharField()  # a received file's reference
    # In the request's language where the entry keeps its params (a measure's, a deadline's), else as stored.
    text = serializers.CharField(source="text_display")
    attachment = AttachmentSerializer(allow_null=True)
