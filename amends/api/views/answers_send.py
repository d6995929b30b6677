"""Sending the answer letter on a channel, the channels offered, its deliveries, a retry, and
marking a letter for post as posted."""

from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from amends.answers.delivery import AnswerRefused, answer_send, channels_offered, delivery_posted, delivery_retry
from amends.answers.models import Delivery
from amends.complaints.access import ANSWER
from amends.complaints.models import Complaint

from ..exceptions import Conflict
from ..schema import DELIVERY_PARAMETER, IDEMPOTENT_WRITE_PARAMETER, LETTER_PARAMETER, NUMBER_PARAMETER, errors
from ..serializers.answers_send import (
    AnswerBlockedSerializer,
    AnswerSendInputSerializer,
    ChannelOfferSerializer,
    DeliverySerializer,
    PostedInputSerializer,
    ReasonRequiredSerializer,
)
from .answers_letters import letter_of
from .base import ApiView, card, idempotent, writer


def delivery_of(complaint: Complaint, delivery_id: str) -> Delivery:
    try:
        return Delivery.objects.select_related("letter__complaint", "sent_by").get(
            pk=int(delivery_id), letter__complaint=complaint,
        )
    except Delivery.DoesNotExist:
        raise NotFound(_("No such delivery on this complaint.")) from None


# What an integration meets first: a refusal lacking a reference, then the same letter gone by e-mail.
SEND_EXAMPLES = [
    OpenApiExample("email", value={"channel": "email"}, request_only=True),
    OpenApiExample("letter_blocked", status_codes=["409"], response_only=True, value={
        "detail": "The letter cannot be sent yet: A refusal cites at least one legal or contractual reference: "
                  "choose it on the letter.",
        "code": "letter_blocked",
        "problems": [{
            "code": "missing:references",
            "message": "A refusal cites at least one legal or contractual reference: choose it on the letter.",
            "url": "/complaints/2026-000123/#id_letter-references", "overridable": False,
        }],
    }),
    OpenApiExample("queued", status_codes=["201"], response_only=True, value={
        "id": 31, "letter": 12, "channel": "email", "recipient": "anna@example.com", "status": "queued",
        "attempts": 0, "error": "", "final": True, "attachments": ["letter-2026-000123-1.pdf"],
        "created_at": "2026-03-05T10:15:00+03:00", "sent_at": None,
        "sent_by": {"id": 7, "username": "petrova", "name": "Anna Petrova"},
    }),
]


def _refused(refusal: AnswerRefused) -> Response:
    """Blocking problems: 409 with the list. Only tone findings: 400 on the field `reason`, as the
    message to the customer answers it, with the same list."""
    problems = [asdict(problem) for problem in refusal.problems]
    if refusal.blocking:
        return Response({"detail": " ".join(refusal.messages), "code": "letter_blocked", "problems": problems},
                        status=status.HTTP_409_CONFLICT)
    return Response({
        "detail": _("The request has invalid fields."), "code": "invalid", "errors": {"reason": refusal.messages},
        "problems": problems,
    }, status=status.HTTP_400_BAD_REQUEST)


class AnswerSendView(ApiView):
    @extend_schema(
        operation_id="complaints_letter_send", tags=["answers"],
        parameters=[NUMBER_PARAMETER, LETTER_PARAMETER, IDEMPOTENT_WRITE_PARAMETER],
        request=AnswerSendInputSerializer,
        responses={
            201: DeliverySerializer,
            400: OpenApiResponse(ReasonRequiredSerializer, description=gettext_lazy(
                "Invalid input (e.g. a channel this customer cannot receive the answer on), or the tone check's "
                "findings need a reason: the messages under errors.reason, the findings under problems.")),
            409: OpenApiResponse(AnswerBlockedSerializer, description=gettext_lazy(
                "The letter lacks what it must hold or a compensation waits for approval (code letter_blocked, "
                "with the problems), or the card's state allows no answer any more, or the letter has already gone "
                "on this channel (transition_not_allowed).")),
            **errors(401, 403, 404, 415, 422, object_in_path=True),
        },
        examples=SEND_EXAMPLES,
        description=gettext_lazy(
            "Send the letter to the customer on one channel (email, messenger, tracking, post, oral; "
            "GET …/deliveries/channels/ lists this customer's). A final outcome records the card's answer; its "
            "deadlines are met when the delivery leaves. E-mail and messenger deliveries are sent after the "
            "request and retried; read them under deliveries."),
    )
    def post(self, request, number: str, letter_id: str):
        complaint = card(request, number)
        writer(request, complaint, ANSWER)
        letter = letter_of(complaint, letter_id)

        def send() -> tuple[int, dict]:
            serializer = AnswerSendInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            delivery = answer_send(letter=letter, actor=request.user, **serializer.validated_data)
            delivery.refresh_from_db()
            return status.HTTP_201_CREATED, DeliverySerializer(delivery).data

        try:
            return idempotent(request, send)
        except AnswerRefused as refusal:
            return _refused(refusal)


class DeliveryChannelsView(ApiView):
    @extend_schema(
        operation_id="complaints_delivery_channels", tags=["answers"], parameters=[NUMBER_PARAMETER],
        responses={200: ChannelOfferSerializer(many=True), **errors(401, 404)},
        description=gettext_lazy(
            "The channels this customer can receive the answer on, each with the recipient it goes to: e-mail "
            "with their address, their messenger chat, the tracking page, post with a postal address, and an "
            "oral answer only to a complaint made orally."),
    )
    def get(self, request, number: str):
        return Response(ChannelOfferSerializer(channels_offered(card(request, number)), many=True).data)


class DeliveriesView(ApiView):
    @extend_schema(
        operation_id="complaints_deliveries", tags=["answers"], parameters=[NUMBER_PARAMETER],
        responses={200: DeliverySerializer(many=True), **errors(401, 404)},
        description=gettext_lazy("Every delivery of the card's letters with its status, the oldest first."),
    )
    def get(self, request, number: str):
        deliveries = Delivery.objects.filter(letter__complaint=card(request, number)).select_related("sent_by")
        return Response(DeliverySerializer(deliveries.order_by("created_at", "pk"), many=True).data)


class DeliveryPostedView(ApiView):
    @extend_schema(
        operation_id="complaints_delivery_posted", tags=["answers"], parameters=[NUMBER_PARAMETER, DELIVERY_PARAMETER],
        request=PostedInputSerializer,
        responses={200: DeliverySerializer, **errors(400, 401, 403, 404, 409, 415, object_in_path=True)},
        description=gettext_lazy(
            "Mark a letter for post as posted on a day: it left then, and its deadlines are met then. A delivery "
            "not by post, or already posted, is 409."),
    )
    def post(self, request, number: str, delivery_id: str):
        complaint = card(request, number)
        writer(request, complaint, ANSWER)
        delivery = delivery_of(complaint, delivery_id)
        serializer = PostedInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        delivery = delivery_posted(delivery=delivery, actor=request.user, **serializer.validated_data)
        delivery.refresh_from_db()
        return Response(DeliverySerializer(delivery).data)


class DeliveryRetryView(ApiView):
    @extend_schema(
        operation_id="complaints_delivery_retry", tags=["answers"], parameters=[NUMBER_PARAMETER, DELIVERY_PARAMETER],
        request=None, responses={200: DeliverySerializer, **errors(401, 403, 404, 409, object_in_path=True)},
        description=gettext_lazy(
            "Send a failed e-mail or messenger delivery again now (the worker retries them too); the answer "
            "tells its status after the attempt. Any other delivery is 409."),
    )
    def post(self, request, number: str, delivery_id: str):
        complaint = card(request, number)
        writer(request, complaint, ANSWER)
        try:
            delivery = delivery_retry(delivery=delivery_of(complaint, delivery_id), actor=request.user)
        except ValidationError as error:  # the service's only refusal: not a failed e-mail or chat message
            raise Conflict(" ".join(error.messages), code="transition_not_allowed") from None
        return Response(DeliverySerializer(delivery).data)
