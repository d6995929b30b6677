"""Charts in templates: `{% chart_svg chart link_filters %}` draws one (linked to its cards when filters
are given), `{% chart_rows chart link_filters as rows %}` gives its data table's rows."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django import template
from django.utils.functional import Promise
from django.utils.safestring import SafeString

from amends.analytics import svg
from amends.analytics.charts import CHARTS, ChartData
from amends.analytics.filters import AnalyticsFilter
from amends.analytics.links import drill_url

register = template.Library()


def _link(chart: ChartData, filters: AnalyticsFilter | None, board: str) -> svg.Link | None:
    spec = CHARTS.get(chart.key)
    if not filters or spec is None or spec.drill is None:
        return None
    back = f"&{urlencode({'board': board})}" if board else ""  # the drill-down's link back to this dashboard
    return lambda point, series: drill_url(chart.key, point, series, filters) + back


@register.simple_tag
def chart_svg(chart: ChartData, link_filters: AnalyticsFilter | None = None, board: str = "") -> SafeString:
    return svg.chart_svg(chart, link=_link(chart, link_filters, board))


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None


@dataclass(frozen=True)
class Row:
    label: str | Promise
    cells: list[Cell]


@register.simple_tag
def chart_rows(chart: ChartData, link_filters: AnalyticsFilter | None = None, board: str = "") -> list[Row]:
    """A row per point, a cell per series, each figure linked as its bar is."""
    link = _link(chart, link_filters, board)
    return [
        Row(point.label, [
            Cell(svg.format_value(point.values.get(series.key), series.unit),
                 svg.figure_link(link, chart, point, series))
            for series in chart.series
        ])
        for point in chart.points
    ]
