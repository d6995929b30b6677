"""The charts of the dashboards as data: each registered chart computes its figures from the counted
cards (selectors.counted_complaints) and knows which cards stand behind any one of its figures.

The page draws a ChartData as SVG (svg.py), the workbook and the PDF take the same ChartData, the API
returns it as JSON: one computation, four outputs. A drill-down asks the chart's `drill` for the
cards behind a (point, series) pair, so the list always holds exactly the cards the bar counted."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise

from amends.accounts.models import User
from amends.complaints.models import Complaint

from .filters import AnalyticsFilter

# How a chart is drawn: bars side by side, bars stacked, lines over time, or a Pareto chart (bars
# sorted down with the cumulative share as a line and the 80 % mark).
KINDS = ("bars", "stacked", "lines", "pareto")


@dataclass(frozen=True)
class Series:
    key: str
    label: str | Promise
    unit: str = ""  # "", "%", "h" (hours), "₽": how values read; "" is a count of cards
    drillable: bool = True  # False for figures no card list stands behind (a cumulative share, a median)


@dataclass
class Point:
    key: str  # stable and URL-safe: "2026-03", "email", a category's pk, "none" for an empty field
    label: str | Promise
    values: dict[str, float | int | None]  # by series key; None: no figure (nothing to measure)


@dataclass
class ChartData:
    key: str
    title: str | Promise
    kind: str
    series: list[Series]
    points: list[Point]
    note: str | Promise = ""  # what the chart leaves out or how it counts, shown under it
    mark: float | None = None  # a reference line on the value axis (the Pareto's 80 %, a norm)
    empty_message: str | Promise = ""  # said instead of the chart when it is empty; "" the cards' sentence

    @property
    def empty(self) -> bool:
        return not any(value for point in self.points for value in point.values.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key, "title": str(self.title), "kind": self.kind, "note": str(self.note), "mark": self.mark,
            "series": [{"key": s.key, "label": str(s.label), "unit": s.unit} for s in self.series],
            "points": [{"key": p.key, "label": str(p.label), "values": p.values} for p in self.points],
        }


Compute = Callable[[User, AnalyticsFilter], ChartData]
Drill = Callable[[User, AnalyticsFilter, str, str], QuerySet[Complaint]]  # (user, filters, point, series)


@dataclass(frozen=True)
class ChartSpec:
    key: str
    title: str | Promise
    compute: Compute
    drill: Drill | None = None  # None: the chart's figures have no card list behind them
    description: str | Promise = ""
    tags: tuple[str, ...] = field(default=())


CHARTS: dict[str, ChartSpec] = {}


def register_chart(spec: ChartSpec) -> None:
    CHARTS[spec.key] = spec


def chart_get(key: str) -> ChartSpec:
    """KeyError for a chart nobody registered."""
    return CHARTS[key]


def count_series(series: list[Series]) -> Series | None:
    """The series whose cards stand behind a point's other figures (a share, a median, a rate): the
    first drillable count; None when no cards stand behind the chart."""
    return next((one for one in series if one.drillable and one.unit == ""), None) or next(
        (one for one in series if one.drillable), None)
