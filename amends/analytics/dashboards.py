"""The dashboards: which registered charts each page shows, in order. A chart may sit on several."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import User

from .charts import CHARTS, ChartData
from .figures.shared import computed_together
from .filters import AnalyticsFilter


@dataclass(frozen=True)
class Dashboard:
    key: str
    title: str | Promise
    charts: tuple[str, ...]  # keys of charts.CHARTS


DASHBOARDS: dict[str, Dashboard] = {
    dashboard.key: dashboard for dashboard in [
        # Where a manager lands: how many, from where, about what, and what is still open.
        Dashboard("overview", _("Overview"), (
            "by_month_channel", "pareto_category", "open_by_state", "justification_by_month",
        )),
        Dashboard("intake", _("Intake"), (
            "by_week_channel", "by_month_channel", "per_thousand_orders", "repeat_complainants",
        )),
        Dashboard("causes", _("Causes"), ("pareto_category", "pareto_cause")),
        Dashboard("outcomes", _("Justification and loyalty"), (
            "justification_by_year", "justification_by_month", "loyalty_by_year", "satisfaction_by_year",
            "compensation_by_month", "survey_k_by_quarter",
        )),
        Dashboard("timeliness", _("Timeliness"), (
            "response_times", "on_time_share", "open_by_state", "open_by_age",
        )),
        # The surveys' answers (amends.surveys), not the cards: filtered by the period and product only.
        Dashboard("satisfaction", _("Satisfaction and loyalty (surveys)"), (
            "survey_k_by_quarter", "survey_loyalty_by_quarter", "survey_criteria", "survey_responses_by_source",
        )),
    ]
}


def dashboard_charts(user: User, dashboard: Dashboard, filters: AnalyticsFilter) -> list[ChartData]:
    """The dashboard's charts computed for the user, in its order; a chart nobody registered is skipped."""
    with computed_together():  # charts of a page that read the same figures read them once
        return [CHARTS[key].compute(user, filters) for key in dashboard.charts if key in CHARTS]
