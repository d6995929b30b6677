"""Work on one card: lifecycle transitions, notes, attachments and the timeline."""

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from amends.complaints.access import ATTACHMENT, NOTE, access_writer
from amends.complaints.services import complaint_add_note, complaint_attach, complaint_transition

from ..exceptions import PayloadTooLarge
from ..schema import NUMBER_PARAMETER, errors
from ..serializers.complaints import ComplaintSerializer
from ..serializers.timeline import (
    AttachmentInputSerializer,
    AttachmentSerializer,
    NoteInputSerializer,
    TimelineEventSerializer,
)
from ..serializers.transitions import TransitionInputSerializer
from .base import ApiView, card

# Room for the multipart boundaries and headers around a file of the largest accepted size.
MULTIPART_OVERHEAD = 64 * 1024


class TransitionView(ApiView):
    @extend_schema(
        operation_id="complaints_transition", tags=["complaints"], parameters=[NUMBER_PARAMETER],
        request=TransitionInputSerializer, responses={200: ComplaintSerializer, **errors(400, 401, 403, 404, 409, 415)},
        description=gettext_lazy("Take one step of the lifecycle, with the same names, rules and role checks as the "
                                 "card's buttons in the web interface. Each step reads only its own data fields."),
    )
    def post(self, request, number: str):
        complaint = card(request, number)
        serializer = TransitionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        complaint = complaint_transition(
            complaint=complaint, name=serializer.validated_data["transition"], actor=request.user,
            data=serializer.transition_data(), comment=serializer.validated_data["comment"],
            expected_version=serializer.validated_data.get("version"),
        )
        return Response(ComplaintSerializer(complaint, context={"request": request}).data)


class NoteView(ApiView):
    @extend_schema(
        operation_id="complaints_note", tags=["complaints"], parameters=[NUMBER_PARAMETER],
        request=NoteInputSerializer, responses={201: TimelineEventSerializer, **errors(400, 401, 403, 404, 415)},
    )
    def post(self, request, number: str):
        complaint = card(request, number)
        access_writer(request.user, complaint, NOTE)  # refused before the body is read
        serializer = NoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = complaint_add_note(complaint=complaint, actor=request.user, text=serializer.validated_data["text"])
        return Response(TimelineEventSerializer(event).data, status=status.HTTP_201_CREATED)


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(
        _("The file is larger than %(limit)s.") % {"limit": filesizeformat(settings.AMENDS_ATTACHMENT_MAX_BYTES)},
        code="file_too_large",
    )


class AttachmentView(ApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="complaints_attach", tags=["complaints"], parameters=[NUMBER_PARAMETER],
        request={"multipart/form-data": AttachmentInputSerializer},
        responses={201: AttachmentSerializer, **errors(400, 401, 403, 404, 413, 415)},
    )
    def post(self, request, number: str):
        complaint = card(request, number)
        access_writer(request.user, complaint, ATTACHMENT)  # refused before the upload is read
        # Refuse an oversized upload from its declared length, before it is read to disk.
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.AMENDS_ATTACHMENT_MAX_BYTES + MULTIPART_OVERHEAD:
            raise _too_large()
        serializer = AttachmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > settings.AMENDS_ATTACHMENT_MAX_BYTES:
            raise _too_large()
        attachment = complaint_attach(complaint=complaint, actor=request.user, upload=upload)
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class TimelineView(ApiView):
    @extend_schema(
        operation_id="complaints_timeline", tags=["complaints"], parameters=[NUMBER_PARAMETER],
        responses={200: TimelineEventSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, number: str):
        events = card(request, number).events.select_related("actor", "attachment")
        return Response(TimelineEventSerializer(events, many=True).data)
