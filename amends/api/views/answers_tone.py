"""The tone check of a text, and the message to the customer that must pass it or give a reason."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from amends.answers.tone import tone_check
from amends.complaints.access import MESSAGE, access_writer
from amends.intake.services import message_to_customer

from ..schema import NUMBER_PARAMETER, errors
from ..serializers.answers_tone import CustomerMessageInputSerializer, ToneCheckInputSerializer, ToneReportSerializer
from ..serializers.timeline import TimelineEventSerializer
from .base import ApiView, card


class ToneCheckView(ApiView):
    @extend_schema(
        operation_id="tone_check", tags=["answers"], request=ToneCheckInputSerializer,
        responses={200: ToneReportSerializer, **errors(400, 401, 415)},
        description="Stop-phrases in the text with their replacements, and the Listen–Apologise–Solve–Thank checklist.",
    )
    def post(self, request):
        serializer = ToneCheckInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = tone_check(serializer.validated_data["text"], serializer.validated_data["language"])
        return Response(ToneReportSerializer(report).data)


class CustomerMessageView(ApiView):
    @extend_schema(
        operation_id="complaints_message_customer", tags=["complaints"], parameters=[NUMBER_PARAMETER],
        request=CustomerMessageInputSerializer,
        responses={201: TimelineEventSerializer, **errors(400, 401, 403, 404, 415)},
        description="Writes to the customer on their channel. A text the tone check finds fault with is "
                    "refused (400, the findings under `errors.reason`) unless `reason` is given.",
    )
    def post(self, request, number: str):
        complaint = card(request, number)
        access_writer(request.user, complaint, MESSAGE)  # refused before the body is read
        serializer = CustomerMessageInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = message_to_customer(complaint=complaint, actor=request.user, **serializer.validated_data)
        return Response(TimelineEventSerializer(event).data, status=status.HTTP_201_CREATED)
