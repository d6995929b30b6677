"""The cards behind one figure of a chart, read from the drill-down's query (links.drill_url): the page
lists them, the register export writes them."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import User
from amends.complaints.models import Complaint

from .charts import CHARTS, ChartData, ChartSpec, Point, Series, count_series
from .filters import AnalyticsFilter, AnalyticsFilterForm


class DrillError(Exception):
    """The query names no figure with cards behind it; the message says why, for the reader."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Drilled:
    spec: ChartSpec
    chart: ChartData
    point: Point
    series: Series  # the series whose cards are listed: the count behind a share or a median
    asked: Series  # the series the reader clicked
    filters: AnalyticsFilter
    cards: QuerySet[Complaint]


def drill_cards(user: User, query: QueryDict) -> Drilled:
    """The figure named by `chart`, `point` and `series` with the filters, and its cards, newest first."""
    form = AnalyticsFilterForm(query)
    if not form.is_valid():
        raise DrillError(" ".join(str(error) for errors in form.errors.values() for error in errors))
    filters = form.to_filter()
    spec = CHARTS.get(query.get("chart", ""))
    if spec is None:
        raise DrillError(_("There is no such chart."))
    if spec.drill is None:
        raise DrillError(_("No list of cards stands behind this chart's figures."))
    chart = spec.compute(user, filters)
    point = next((point for point in chart.points if point.key == query.get("point")), None)
    asked = next((series for series in chart.series if series.key == query.get("series")), None)
    if point is None or asked is None:
        raise DrillError(_("This chart has no such figure for these filters."))
    series = asked if asked.drillable else count_series(chart.series)
    if series is None:
        raise DrillError(_("No list of cards stands behind this figure."))
    cards = spec.drill(user, filters, point.key, series.key).select_related(
        "contact", "organisation", "category", "category__parent", "responsible",
    ).order_by("-received_at", "-pk")
    return Drilled(spec, chart, point, series, asked, filters, cards)
