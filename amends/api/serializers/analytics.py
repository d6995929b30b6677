"""The analysis' figures: the pages' filters as query parameters, the dashboards and their charts as JSON."""

from dataclasses import asdict
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from amends.accounts.models import User
from amends.analytics.charts import KINDS, ChartData, ChartSpec
from amends.analytics.dashboards import Dashboard
from amends.analytics.figures.shared import computed_together
from amends.analytics.filters import AnalyticsFilter, AnalyticsFilterForm
from amends.analytics.links import drill_url
from amends.analytics.selectors import NOT_COUNTED
from amends.analytics.svg import empty_message
from amends.complaints.choices import Channel
from amends.complaints.inputs import MAX_INT
from amends.core.links import absolute_url


def _id(help_text) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_INT, required=False, help_text=help_text)


class AnalyticsFilterSerializer(serializers.Serializer):
    """The dashboards' filter form (AnalyticsFilterForm) as query parameters. Typed here, so that what
    the schema forbids is refused; then checked by the pages' form, whose messages a person reads (a
    period that ends before it starts, a department that does not exist)."""

    start = serializers.DateField(required=False, help_text=_(
        "The first day counted; absent: the first of the month twelve months before the end."))
    end = serializers.DateField(required=False, help_text=_(
        "The last day counted; absent: today, or the start when it is later."))
    department = _id(_("The department concerned, by ID."))
    product = _id(_("The product, by ID."))
    category = _id(_("Category ID; includes its subcategories."))
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    responsible = _id(_("User ID of the responsible person."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        form = AnalyticsFilterForm(data={name: self.initial_data[name] for name in attrs})
        if not form.is_valid():
            raise serializers.ValidationError({
                ("non_field_errors" if name == "__all__" else name): [str(message) for message in messages]
                for name, messages in form.errors.items()
            })
        return {"filters": form.to_filter()}


def filters_json(filters: AnalyticsFilter) -> dict[str, Any]:
    """Every filter as applied, the default period filled in; null for a dimension not filtered."""
    return {name: value.isoformat() if isinstance(value, date) else value or None
            for name, value in asdict(filters).items()}


def chart_json(request, spec: ChartSpec, chart: ChartData, filters: AnalyticsFilter) -> dict[str, Any]:
    """The chart as the pages draw it, with the link to the cards behind each figure that has them."""
    body = chart.as_json()
    drillable = [series.key for series in chart.series if series.drillable] if spec.drill else []
    for point, shown in zip(chart.points, body["points"], strict=True):
        shown["cards"] = {
            key: absolute_url(drill_url(spec.key, point.key, key, filters), request)
            for key in drillable if point.values.get(key)
        }
    body["empty"] = chart.empty
    body["message"] = empty_message(chart) if chart.empty else None
    return body


def figures_json(request, user: User, specs: list[ChartSpec], filters: AnalyticsFilter) -> dict[str, Any]:
    """The charts computed for the user, with the filters applied and what no figure counts."""
    with computed_together():  # as the page: figures several charts read are read once
        return {
            "filters": filters_json(filters), "counted": str(NOT_COUNTED),
            "charts": [chart_json(request, spec, spec.compute(user, filters), filters) for spec in specs],
        }


def dashboard_json(dashboard: Dashboard) -> dict[str, Any]:
    return {"key": dashboard.key, "title": str(dashboard.title), "charts": list(dashboard.charts)}


# The answers' shapes, for the schema: the bodies above are built directly, as the charts give them.

class DashboardSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    charts = serializers.ListField(child=serializers.CharField(), help_text=_(
        "The keys of its charts, in the order the page shows them."))


class FiltersSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text=_("The last day counted."))
    department = serializers.IntegerField(allow_null=True)
    product = serializers.IntegerField(allow_null=True)
    category = serializers.IntegerField(allow_null=True)
    channel = serializers.ChoiceField(choices=Channel.choices, allow_null=True)
    responsible = serializers.IntegerField(allow_null=True)


class SeriesSerializer(serializers.Serializer):
    key = serializers.CharField()
    # A declared field: the metaclass takes it off the class, so Field's own attribute stays.
    label = serializers.CharField()  # type: ignore[assignment]
    unit = serializers.CharField(allow_blank=True, help_text=_(
        "How the values read: empty for a number of cards, else the unit written after each value: per cent, "
        "h for hours, ₽ for money."))


class PointSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_('The point\'s key: "2026-03", "2026-W09", "2026", an ID, a code; '
                                            '"none" for an empty field.'))
    label = serializers.CharField()  # type: ignore[assignment]
    values = serializers.DictField(child=serializers.FloatField(allow_null=True), help_text=_(
        "The figure of each series, by its key; null where there is nothing to measure."))
    cards = serializers.DictField(child=serializers.URLField(), help_text=_(
        "By series key: the page listing the cards this figure counts (figures of no cards have none)."))


class ChartSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=KINDS)
    note = serializers.CharField(allow_blank=True, help_text=_("What the chart leaves out, or how it counts."))
    mark = serializers.FloatField(allow_null=True, help_text=_(
        "A reference line on the value axis: the Pareto chart's 80 per cent, a norm."))
    series = SeriesSerializer(many=True)
    points = PointSerializer(many=True)
    empty = serializers.BooleanField(help_text=_("No figure to show: no card matches the filters in the period."))
    message = serializers.CharField(allow_null=True, help_text=_("What an empty chart says instead."))


class FiguresSerializer(serializers.Serializer):
    filters = FiltersSerializer(help_text=_("The filters applied, the default period filled in."))
    counted = serializers.CharField(help_text=_("What the figures leave out."))
    charts = ChartSerializer(many=True)


class DashboardFiguresSerializer(FiguresSerializer):
    key = serializers.CharField()
    title = serializers.CharField()
