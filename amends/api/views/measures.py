"""Measures of a card: planned by the responsible person, reported on by their executors."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from amends.complaints.models import Complaint, Measure
from amends.complaints.services import measure_add, measure_remove, measure_report

from ..schema import MEASURE_PARAMETER, NUMBER_PARAMETER, errors
from ..serializers.measures import MeasureInputSerializer, MeasureReportInputSerializer, MeasureSerializer
from .base import ApiView, card


def measure_of(complaint: Complaint, measure_id: str) -> Measure:
    try:
        return complaint.measures.get(pk=int(measure_id))
    except Measure.DoesNotExist:
        raise NotFound(_("No such measure on this complaint.")) from None


class MeasuresView(ApiView):
    @extend_schema(
        operation_id="complaints_measure_add", tags=["measures"], parameters=[NUMBER_PARAMETER],
        request=MeasureInputSerializer, responses={201: MeasureSerializer, **errors(400, 401, 403, 404, 409, 415)},
        description=gettext_lazy(
            "Plan a measure, as the responsible person does once the complaint is decided justified "
            "or partly justified."),
    )
    def post(self, request, number: str):
        complaint = card(request, number)
        serializer = MeasureInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        measure = measure_add(complaint=complaint, actor=request.user, **serializer.validated_data)
        return Response(MeasureSerializer(measure, context={"request": request}).data, status=status.HTTP_201_CREATED)


class MeasureView(ApiView):
    @extend_schema(
        operation_id="complaints_measure_remove", tags=["measures"], parameters=[NUMBER_PARAMETER, MEASURE_PARAMETER],
        responses={204: OpenApiResponse(description=gettext_lazy("Removed.")),
                   **errors(401, 403, 404, 409, object_in_path=True)},
        description=gettext_lazy("Remove a planned measure, while the plan may still be changed."),
    )
    def delete(self, request, number: str, measure_id: str):
        measure_remove(measure=measure_of(card(request, number), measure_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeasureReportView(ApiView):
    @extend_schema(
        operation_id="complaints_measure_report", tags=["measures"], parameters=[NUMBER_PARAMETER, MEASURE_PARAMETER],
        request=MeasureReportInputSerializer,
        responses={200: MeasureSerializer, **errors(400, 401, 403, 404, 409, 415, object_in_path=True)},
        description=gettext_lazy("Report what was done: the executor, once the plan is approved."),
    )
    def post(self, request, number: str, measure_id: str):
        measure = measure_of(card(request, number), measure_id)
        serializer = MeasureReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        measure = measure_report(measure=measure, actor=request.user, report=serializer.validated_data["report"])
        return Response(MeasureSerializer(measure, context={"request": request}).data)
