"""The dashboards' figures through the API: the same charts, filters and access as the pages."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from amends.analytics.access import access_analytics
from amends.analytics.charts import CHARTS, chart_get
from amends.analytics.dashboards import DASHBOARDS
from amends.analytics.filters import AnalyticsFilter

from ..schema import ErrorSerializer, errors
from ..serializers.analytics import (
    AnalyticsFilterSerializer,
    DashboardFiguresSerializer,
    DashboardSerializer,
    FiguresSerializer,
    dashboard_json,
    figures_json,
)
from .base import ApiView
from .capa_records import user_of

DASHBOARD_PARAMETER = OpenApiParameter(
    "key", {"type": "string", "enum": list(DASHBOARDS)}, OpenApiParameter.PATH,
    description=gettext_lazy("The dashboard, as the dashboards list gives it."),
)
CHART_PARAMETER = OpenApiParameter(
    "key", {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}, OpenApiParameter.PATH,
    description=gettext_lazy("The chart, as the dashboards list gives it."),
)
# Not the card's 404.
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description=gettext_lazy("No dashboard or chart of this key."))}


def _filters(request) -> AnalyticsFilter:
    query = AnalyticsFilterSerializer(data=request.query_params.dict())
    query.is_valid(raise_exception=True)
    return query.validated_data["filters"]


class DashboardsView(ApiView):
    @extend_schema(
        operation_id="analytics_dashboards", tags=["analytics"],
        responses={200: DashboardSerializer(many=True), **errors(401, 403)},
        description=gettext_lazy("The dashboards of the analysis with their charts' keys: those who oversee "
                                 "quality (the head of the QMS, managers, administrators)."),
    )
    def get(self, request):
        access_analytics(user_of(request))
        return Response([dashboard_json(dashboard) for dashboard in DASHBOARDS.values()])


class DashboardView(ApiView):
    @extend_schema(
        operation_id="analytics_dashboard", tags=["analytics"],
        parameters=[DASHBOARD_PARAMETER, AnalyticsFilterSerializer],
        responses={200: DashboardFiguresSerializer, **errors(400, 401, 403), **NOT_FOUND},
        description=gettext_lazy(
            "Every chart of the dashboard, computed as its page computes it, with the page's filters. "
            "Duplicates, withdrawn cards, objections and other requests are not counted."),
    )
    def get(self, request, key: str):
        user = user_of(request)
        access_analytics(user)
        dashboard = DASHBOARDS.get(key)
        if dashboard is None:
            raise NotFound(_("No dashboard of this key."))
        filters = _filters(request)
        specs = [chart_get(chart) for chart in dashboard.charts]
        body = figures_json(request, user, specs, filters)
        return Response({"key": dashboard.key, "title": str(dashboard.title), **body})


class ChartView(ApiView):
    @extend_schema(
        operation_id="analytics_chart", tags=["analytics"],
        parameters=[CHART_PARAMETER, AnalyticsFilterSerializer],
        responses={200: FiguresSerializer, **errors(400, 401, 403), **NOT_FOUND},
        description=gettext_lazy("One chart, computed as the pages compute it, with the pages' filters."),
    )
    def get(self, request, key: str):
        user = user_of(request)
        access_analytics(user)
        spec = CHARTS.get(key)
        if spec is None:
            raise NotFound(_("No chart of this key."))
        return Response(figures_json(request, user, [spec], _filters(request)))
