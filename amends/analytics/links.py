"""Links into the analysis that every part builds the same way."""

from urllib.parse import urlencode

from django.urls import reverse

from .filters import AnalyticsFilter


def drill_url(chart: str, point: str, series: str, filters: AnalyticsFilter) -> str:
    """The list of the cards behind one figure of a chart (views.cards)."""
    query = {"chart": chart, "point": point, "series": series, **filters.params()}
    return f"{reverse('analytics:cards')}?{urlencode(query)}"
