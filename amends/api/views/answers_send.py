"""Sending the answer letter on a channel, its deliveries, and marking a letter for post as posted."""

from dataclasses import asdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from amends.answers.delivery import AnswerRefused, answer_send, delivery_posted
from amends.answers.models import Delivery, Letter
from amends.complaints.access import ANSWER, access_writer

from ..schema import NUMBER_PARAMETER, errors
from ..serializers.answers_send import (
    AnswerRefusedSerializer,
    AnswerSendInputSerializer,
    DeliverySerializer,
    PostedInputSerializer,
)
from .base import ApiView, card

LETTER_PARAMETER = OpenApiParameter(
    "letter_id", {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}, OpenApiParameter.PATH,
    description=gettext_lazy("The letter's ID on this complaint."),
)
DELIVERY_PARAMETER = OpenApiParameter(
    "delivery_id", {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}, OpenApiParameter.PATH,
    description=gettext_lazy("The delivery's ID on this complaint."),
)


def _on_card(request, number: str, queryset, pk: str, missing: str):
    """The letter or delivery `pk` on the card, for one who sends its answers (else 403 or 404)."""
    complaint = card(request, number)
    access_writer(request.user, complaint, ANSWER)
    field = "complaint" if queryset.model is Letter else "letter__complaint"
    found = queryset.filter(pk=int(pk), **{field: complaint}).first()
    if found is None:
        raise NotFound(missing)
    return found


def _refused(refusal: AnswerRefused) -> Response:
    return Response({
        "detail": " ".join(refusal.messages),
        "code": "letter_blocked" if refusal.blocking else "reason_required",
        "problems": [asdict(problem) for problem in refusal.problems],
    }, status=status.HTTP_409_CONFLICT if refusal.blocking else status.HTTP_400_BAD_REQUEST)


class AnswerSendView(ApiView):
    @extend_schema(
        operation_id="complaints_answer_send", tags=["answers"], parameters=[NUMBER_PARAMETER, LETTER_PARAMETER],
        request=AnswerSendInputSerializer,
        responses={
            201: DeliverySerializer,
            400: OpenApiResponse(AnswerRefusedSerializer, description=gettext_lazy(
                "Invalid input, or the tone check's findings need a reason (code reason_required).")),
            409: OpenApiResponse(AnswerRefusedSerializer, description=gettext_lazy(
                "The letter misses what it must hold (code letter_blocked, with the problems), or the card's "
                "state does not allow the answer.")),
            **errors(401, 403, 404, 415),
        },
        description=gettext_lazy(
            "Send the letter to the customer on one channel (email, messenger, tracking, post, oral). A final "
            "outcome records the card's answer; its deadlines are met when the delivery leaves. E-mail and "
            "messenger deliveries are sent after the request and retried; read them under deliveries."),
    )
    def post(self, request, number: str, letter_id: str):
        letter = _on_card(request, number, Letter.objects.all(), letter_id, _("No such letter on this complaint."))
        serializer = AnswerSendInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            delivery = answer_send(letter=letter, actor=request.user, **serializer.validated_data)
        except AnswerRefused as refusal:
            return _refused(refusal)
        delivery.refresh_from_db()
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_201_CREATED)


class DeliveriesView(ApiView):
    @extend_schema(
        operation_id="complaints_deliveries", tags=["answers"], parameters=[NUMBER_PARAMETER],
        responses={200: DeliverySerializer(many=True), **errors(401, 403, 404)},
        description=gettext_lazy("Every delivery of the card's letters, newest first, with its status."),
    )
    def get(self, request, number: str):
        complaint = card(request, number)
        deliveries = Delivery.objects.filter(letter__complaint=complaint).order_by("-created_at", "-pk")
        return Response(DeliverySerializer(deliveries, many=True).data)


class DeliveryPostedView(ApiView):
    @extend_schema(
        operation_id="complaints_delivery_posted", tags=["answers"], parameters=[NUMBER_PARAMETER, DELIVERY_PARAMETER],
        request=PostedInputSerializer, responses={200: DeliverySerializer, **errors(400, 401, 403, 404, 415)},
        description=gettext_lazy("Mark a letter for post as posted on a day: it left then."),
    )
    def post(self, request, number: str, delivery_id: str):
        delivery = _on_card(
            request, number, Delivery.objects.all(), delivery_id, _("No such delivery on this complaint."),
        )
        serializer = PostedInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        delivery = delivery_posted(delivery=delivery, actor=request.user, **serializer.validated_data)
        delivery.refresh_from_db()
        return Response(DeliverySerializer(delivery).data)
