"""Supplier figures through the API (the norms of a period, the suppliers table, a scorecard) and
the proposals the worker raises; the same selectors and rules as the pages."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from amends.capa.access import access_process_owner, access_scorecards, can_see_proposals, can_see_scorecards
from amends.capa.models import Proposal
from amends.capa.norms import norm_status
from amends.capa.proposals import proposal_accept, proposal_dismiss
from amends.capa.scorecard import final_supplier, supplier_scorecard, suppliers_table
from amends.complaints.models import Complaint
from amends.customers.models import Supplier

from ..schema import errors, id_parameter
from ..serializers.capa_records import NonconformitySerializer
from ..serializers.capa_suppliers import (
    NormStatusSerializer,
    PeriodQuerySerializer,
    ProposalAcceptSerializer,
    ProposalDismissSerializer,
    ProposalQuerySerializer,
    ProposalSerializer,
    ScorecardSerializer,
    SuppliersQuerySerializer,
    SuppliersTableSerializer,
)
from .base import ApiView
from .capa_records import record_shown, user_of

SUPPLIER_PARAMETER = id_parameter("supplier_id", gettext_lazy("The supplier's ID."))
PROPOSAL_PARAMETER = id_parameter("proposal_id", gettext_lazy("The proposal's ID, as the proposals list it."))


def _query(serializer_class, request):
    query = serializer_class(data=request.query_params.dict())
    query.is_valid(raise_exception=True)
    return query


class NormsView(ApiView):
    @extend_schema(
        operation_id="capa_norms", tags=["suppliers"], parameters=[PeriodQuerySerializer],
        responses={200: NormStatusSerializer, **errors(400, 401, 403)},
        description=gettext_lazy(
            "The norm status of a period (a calendar year unless chosen): the manufacturer's row, all suppliers' "
            "row, then each supplier with a complaint counted, the most first."),
    )
    def get(self, request):
        if not can_see_scorecards(user_of(request)):  # as the norms page
            raise PermissionDenied(_("Only those who oversee quality see the norms."))
        period = _query(PeriodQuerySerializer, request).period(timezone.localdate())
        return Response(NormStatusSerializer({"period": period, "rows": norm_status(period)}).data)


class SuppliersView(ApiView):
    @extend_schema(
        operation_id="capa_suppliers", tags=["suppliers"], parameters=[SuppliersQuerySerializer],
        responses={200: SuppliersTableSerializer, **errors(400, 401, 403)},
        description=gettext_lazy("Every supplier (not merged) with its figures for the period, sorted and "
                                 "filtered as on the suppliers page: those who oversee quality."),
    )
    def get(self, request):
        access_scorecards(user_of(request))
        query = _query(SuppliersQuerySerializer, request)
        period = query.period(timezone.localdate())
        choices = {name: query.validated_data[name] for name in ("sort", "status", "with_open")}
        rows = suppliers_table(period=period, **choices)
        return Response(SuppliersTableSerializer({"period": period, "rows": rows}).data)


class ScorecardView(ApiView):
    @extend_schema(
        operation_id="capa_supplier_scorecard", tags=["suppliers"],
        parameters=[SUPPLIER_PARAMETER, PeriodQuerySerializer],
        responses={200: ScorecardSerializer, **errors(400, 401, 403, 404)},
        description=gettext_lazy("One supplier's scorecard for the period; a merged supplier's is the one of the "
                                 "supplier it was merged into."),
    )
    def get(self, request, supplier_id: str):
        access_scorecards(user_of(request))
        supplier = final_supplier(get_object_or_404(Supplier, pk=int(supplier_id)))
        period = _query(PeriodQuerySerializer, request).period(timezone.localdate())
        scorecard = supplier_scorecard(supplier, period_kind=period.kind, now=period.bounds()[0])
        return Response(ScorecardSerializer(scorecard).data)


def _proposals():
    related = ("supplier", "product", "cause", "decided_by", "nonconformity")
    return Proposal.objects.select_related(*related).prefetch_related(
        Prefetch("complaints", queryset=Complaint.objects.order_by("received_at", "pk").only("pk", "number")),
    )


class ProposalsView(ApiView):
    @extend_schema(
        operation_id="capa_proposals", tags=["nonconformities"], parameters=[ProposalQuerySerializer],
        responses={200: ProposalSerializer(many=True), **errors(400, 401, 403)},
        description=gettext_lazy("The nonconformities the worker proposes, newest first: those who oversee quality."),
    )
    def get(self, request):
        if not can_see_proposals(user_of(request)):
            raise PermissionDenied(_("Only those who oversee quality see the proposals."))
        wanted = _query(ProposalQuerySerializer, request).validated_data["status"]
        proposals = _proposals().order_by("-created_at", "-pk")
        if wanted:
            proposals = proposals.filter(status=wanted)
        return Response(ProposalSerializer(proposals, many=True).data)


def _decision(request, proposal_id: str, serializer_class) -> tuple[Proposal, dict]:
    """The head of the QMS only (403 before the body is read), a proposal that exists, a valid body."""
    access_process_owner(user_of(request))
    proposal = get_object_or_404(Proposal, pk=int(proposal_id))
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return proposal, serializer.validated_data


class ProposalAcceptView(ApiView):
    @extend_schema(
        operation_id="capa_proposals_accept", tags=["nonconformities"], parameters=[PROPOSAL_PARAMETER],
        request=ProposalAcceptSerializer,
        responses={201: NonconformitySerializer, **errors(400, 401, 403, 404, 409, 415, object_in_path=True)},
        description=gettext_lazy("Open the nonconformity proposed: the head of the QMS. One decided already is 409."),
    )
    def post(self, request, proposal_id: str):
        proposal, data = _decision(request, proposal_id, ProposalAcceptSerializer)
        record = proposal_accept(actor=request.user, proposal=proposal, **data)
        return Response(record_shown(request, record), status=status.HTTP_201_CREATED)


class ProposalDismissView(ApiView):
    @extend_schema(
        operation_id="capa_proposals_dismiss", tags=["nonconformities"], parameters=[PROPOSAL_PARAMETER],
        request=ProposalDismissSerializer,
        responses={200: ProposalSerializer, **errors(400, 401, 403, 404, 409, 415, object_in_path=True)},
        description=gettext_lazy("Dismiss the proposal with the reason: the head of the QMS."),
    )
    def post(self, request, proposal_id: str):
        proposal, data = _decision(request, proposal_id, ProposalDismissSerializer)
        proposal_dismiss(actor=request.user, proposal=proposal, **data)
        return Response(ProposalSerializer(_proposals().get(pk=proposal.pk)).data)
