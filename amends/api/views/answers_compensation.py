"""Compensation on a card: the options the user may grant, the grants, approval by the QMS head."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from amends.answers.compensation import (
    allowances,
    card_grants,
    compensation_approve,
    compensation_grant,
    compensation_refuse,
    statutory_penalty,
)
from amends.answers.models import CompensationGrant
from amends.answers.money import currency
from amends.complaints.access import COMPENSATION, can_write
from amends.complaints.models import Complaint

from ..schema import GRANT_PARAMETER, IDEMPOTENT_WRITE_PARAMETER, NUMBER_PARAMETER, errors
from ..serializers.answers_compensation import (
    CompensationGrantInputSerializer,
    CompensationGrantSerializer,
    CompensationOptionSerializer,
    CompensationRefuseInputSerializer,
    CompensationSerializer,
)
from .base import ApiView, card, idempotent, writer


def grant_of(complaint: Complaint, grant_id: str) -> CompensationGrant:
    try:
        return card_grants(complaint).get(pk=int(grant_id))
    except CompensationGrant.DoesNotExist:
        raise NotFound(_("No such compensation on this complaint.")) from None


class CompensationView(ApiView):
    @extend_schema(
        operation_id="complaints_compensation", tags=["answers"], parameters=[NUMBER_PARAMETER],
        responses={200: CompensationSerializer, **errors(401, 404)},
        description=gettext_lazy("The card's compensation grants and the statutory penalty, if a term was missed."),
    )
    def get(self, request, number: str):
        complaint = card(request, number)
        return Response(CompensationSerializer({
            "currency": currency(), "grants": card_grants(complaint), "penalty": statutory_penalty(complaint),
        }).data)

    @extend_schema(
        operation_id="complaints_compensation_grant", tags=["answers"],
        parameters=[NUMBER_PARAMETER, IDEMPOTENT_WRITE_PARAMETER], request=CompensationGrantInputSerializer,
        responses={201: CompensationGrantSerializer, **errors(400, 401, 403, 404, 409, 415, 422)},
        description=gettext_lazy(
            "Grant compensation. Within the highest limit of the user's roles it is approved at once; above "
            "it, it is created with status pending and the heads of the QMS are notified. An option the "
            "user's roles may not grant is refused (403)."),
    )
    def post(self, request, number: str):
        complaint = card(request, number)
        writer(request, complaint, COMPENSATION)

        def grant() -> tuple[int, dict]:
            serializer = CompensationGrantInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            made = compensation_grant(complaint=complaint, actor=request.user, **serializer.validated_data)
            return status.HTTP_201_CREATED, CompensationGrantSerializer(made).data

        return idempotent(request, grant)


class CompensationOptionsView(ApiView):
    @extend_schema(
        operation_id="complaints_compensation_options", tags=["answers"], parameters=[NUMBER_PARAMETER],
        responses={200: CompensationOptionSerializer(many=True), **errors(401, 404)},
        description=gettext_lazy("The options the user may grant on this card now, each with their limit."),
    )
    def get(self, request, number: str):
        complaint = card(request, number)
        mine = allowances(request.user) if can_write(request.user, complaint, COMPENSATION) else []
        return Response(CompensationOptionSerializer(mine, many=True).data)


class CompensationApproveView(ApiView):
    @extend_schema(
        operation_id="complaints_compensation_approve", tags=["answers"],
        parameters=[NUMBER_PARAMETER, GRANT_PARAMETER], request=None,
        responses={200: CompensationGrantSerializer, **errors(401, 403, 404, 409, object_in_path=True)},
        description=gettext_lazy("Approve a grant above the granter's limit: the head of the QMS."),
    )
    def post(self, request, number: str, grant_id: str):
        made = compensation_approve(grant=grant_of(card(request, number), grant_id), actor=request.user)
        return Response(CompensationGrantSerializer(made).data)


class CompensationRefuseView(ApiView):
    @extend_schema(
        operation_id="complaints_compensation_refuse", tags=["answers"],
        parameters=[NUMBER_PARAMETER, GRANT_PARAMETER], request=CompensationRefuseInputSerializer,
        responses={200: CompensationGrantSerializer, **errors(400, 401, 403, 404, 409, 415, object_in_path=True)},
        description=gettext_lazy("Refuse a grant above the granter's limit, with a reason: the head of the QMS."),
    )
    def post(self, request, number: str, grant_id: str):
        grant = grant_of(card(request, number), grant_id)
        serializer = CompensationRefuseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        made = compensation_refuse(grant=grant, actor=request.user, reason=serializer.validated_data["reason"])
        return Response(CompensationGrantSerializer(made).data)
