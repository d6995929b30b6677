"""Charts in templates: `{% chart_svg chart link_filters %}` draws one (linked to its cards when filters
are given), `{% chart_rows chart link_filters as rows %}` gives its data table's rows. The analysis'
own navigation: `{% analysis_nav as nav %}` (analytics/includes/nav.html)."""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import User
from amends.analytics import svg
from amends.analytics.access import access_analytics
from amends.analytics.charts import CHARTS, ChartData
from amends.analytics.dashboards import DASHBOARDS
from amends.analytics.filters import AnalyticsFilter
from amends.analytics.links import drill_url
from amends.analytics.orders import access_orders
from amends.core.errors import AccessDenied

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
    series: str | Promise  # its column's heading, written beside the figure on a phone


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
                 svg.figure_link(link, chart, point, series), series.label)
            for series in chart.series
        ])
        for point in chart.points
    ]


@dataclass(frozen=True)
class NavLink:
    label: str | Promise
    href: str
    current: str  # aria-current: "page" on the page itself, "true" on a page under it, "" elsewhere


@dataclass(frozen=True)
class Nav:
    dashboards: list[NavLink]
    reports: list[NavLink]


@dataclass(frozen=True)
class NavPage:
    url_name: str
    label: str | Promise
    check: Callable[[User], None] | None  # raises AccessDenied for whom the page is closed; None: everyone's
    under: tuple[str, ...] = ()  # pages reached from it, which mark it as where the user is


REPORT_PAGES = (
    NavPage("monthly", _("Monthly review pack"), access_analytics),
    NavPage("yearly", _("Yearly statement"), access_analytics),
    NavPage("orders", _("Orders per month"), access_orders),
    NavPage("exports", _("My exports"), None, under=("export",)),
    NavPage("subscriptions", _("Reports by e-mail"), access_analytics),
)


def _opens(user: User, check: Callable[[User], None] | None) -> bool:
    if check is None:
        return True
    try:
        check(user)
    except AccessDenied:
        return False
    return True


@register.simple_tag(takes_context=True)
def analysis_nav(context) -> Nav | None:
    """The analysis pages the user may open, the one shown marked; None when there is only one.
    Reads `dashboard` (the dashboard shown, or the drill-down's way back) and `filters` (kept by the
    dashboards' links) from the page's context."""
    request = context["request"]
    user, here = request.user, request.resolver_match.url_name
    shown = context.get("dashboard")
    filters = context.get("filters")
    query = f"?{filters.querystring()}" if isinstance(filters, AnalyticsFilter) else ""
    dashboards = []
    if _opens(user, access_analytics):
        on_board = here in ("dashboard", "board") and shown is not None
        dashboards = [
            NavLink(one.title, reverse("analytics:board", args=[one.key]) + query,
                    "" if shown is None or shown.key != one.key else "page" if on_board else "true")
            for one in DASHBOARDS.values()
        ]
    reports = [
        NavLink(page.label, reverse(f"analytics:{page.url_name}"),
                "page" if here == page.url_name else "true" if here in page.under else "")
        for page in REPORT_PAGES if _opens(user, page.check)
    ]
    return Nav(dashboards, reports) if len(dashboards) + len(reports) > 1 else None
