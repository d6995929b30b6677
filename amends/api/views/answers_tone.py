"""The tone check of a text, and the message to the customer that must pass it or give a reason."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from amends.answers.tone import tone_check
from amends.complaints.access import MESSAGE
from amends.intake.services import message_to_customer

from ..schema import IDEMPOTENT_WRITE_PARAMETER, NUMBER_PARAMETER, errors
from ..serializers.answers_tone import CustomerMessageInputSerializer, ToneCheckInputSerializer, ToneReportSerializer
from ..serializers.timeline import TimelineEventSerializer
from .base import ApiView, card, idempotent, writer


class ToneCheckView(ApiView):
    @extend_schema(
        operation_id="tone_check", tags=["answers"], request=ToneCheckInputSerializer,
        responses={200: ToneReportSerializer, **errors(400, 401, 415)},
        description=gettext_lazy(
            "Stop-phrases in the text, each with its place and replacement, and the Listen–Apologise–Solve–Thank "
            "checklist: the same check a letter and a message to the customer pass before they are sent."),
    )
    def post(self, request):
        serializer = ToneCheckInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = tone_check(serializer.validated_data["text"], serializer.validated_data["language"])
        return Response(ToneReportSerializer(report).data)


class CustomerMessageView(ApiView):
    @extend_schema(
        operation_id="complaints_message_customer", tags=["answers"],
        parameters=[NUMBER_PARAMETER, IDEMPOTENT_WRITE_PARAMETER], request=CustomerMessageInputSerializer,
        responses={201: TimelineEventSerializer, **errors(400, 401, 403, 404, 409, 415, 422)},
        description=gettext_lazy(
            "Write to the customer on their channel. A text the tone check finds fault with is refused (400, "
            "the findings under errors.reason) unless a reason is given."),
    )
    def post(self, request, number: str):
        complaint = card(request, number)
        writer(request, complaint, MESSAGE)

        def write() -> tuple[int, dict]:
            serializer = CustomerMessageInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            event = message_to_customer(complaint=complaint, actor=request.user, **serializer.validated_data)
            return status.HTTP_201_CREATED, TimelineEventSerializer(event).data

        return idempotent(request, write)
