"""The complaint collection: the filtered list, registration (with Idempotency-Key), one card."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from amends.accounts.models import User
from amends.complaints.selectors import complaint_list, complaint_list_short

from ..pagination import BoundedPageNumberPagination
from ..schema import IDEMPOTENCY_PARAMETER, NUMBER_PARAMETER, errors
from ..serializers.complaints import (
    ComplaintCreatedSerializer,
    ComplaintCreateSerializer,
    ComplaintFilterSerializer,
    ComplaintListItemSerializer,
    ComplaintSerializer,
    created_body,
)
from ..services import complaint_accept_from_api
from .base import ApiView, card, idempotent


class ComplaintsView(ApiView, generics.ListAPIView):
    serializer_class = ComplaintListItemSerializer
    pagination_class = BoundedPageNumberPagination

    def get_queryset(self):
        # A plain dict, so that an empty value is refused like any invalid one, as the schema says.
        filters = ComplaintFilterSerializer(data=self.request.query_params.dict())
        filters.is_valid(raise_exception=True)
        user = self.request.user
        assert isinstance(user, User)  # IsAuthenticated, the API's permission, lets no anonymous user here
        chosen = filters.to_filter()
        self.short_list = complaint_list_short(chosen)  # read by the pagination
        return complaint_list(user, chosen)

    @extend_schema(
        operation_id="complaints_list", tags=["complaints"], parameters=[ComplaintFilterSerializer],
        responses={200: ComplaintListItemSerializer(many=True), **errors(400, 401, 404)},
        description=gettext_lazy("The complaints visible to you, newest first, 50 a page."),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="complaints_create", tags=["complaints"], parameters=[IDEMPOTENCY_PARAMETER],
        request=ComplaintCreateSerializer,
        responses={
            201: OpenApiResponse(ComplaintCreatedSerializer, description=gettext_lazy(
                "Registered; `url` gives the whole card. A retry with the same Idempotency-Key returns "
                "this again, with the header Idempotent-Replayed: true.")),
            **errors(400, 401, 403, 413, 415, 422),
        },
    )
    def post(self, request, *args, **kwargs):
        return idempotent(request, lambda: self._register(request))

    def _register(self, request) -> tuple[int, dict]:
        serializer = ComplaintCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        submission = complaint_accept_from_api(actor=request.user, **serializer.validated_data)
        received_at = serializer.validated_data.get("received_at") or submission.received_at
        return status.HTTP_201_CREATED, created_body(request, submission, received_at)


class ComplaintDetailView(ApiView):
    @extend_schema(
        operation_id="complaints_retrieve", tags=["complaints"], parameters=[NUMBER_PARAMETER],
        responses={200: ComplaintSerializer, **errors(401, 404)},
    )
    def get(self, request, number: str):
        return Response(ComplaintSerializer(card(request, number), context={"request": request}).data)
