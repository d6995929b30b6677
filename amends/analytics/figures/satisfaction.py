"""The satisfaction surveys in the analysis: K and the loyalty shares by quarter, the criteria's score
and importance, the answers by how they came. Every figure is the surveys' own (amends.surveys.figures
and selectors), so the dashboards, the surveys' reports page and the API read one definition.

The figures count survey answers, not cards: the analysis' period (the day each answer came, in the
company's time zone) and its product (the product of the card an answer followed) apply; the
department, category, channel and responsible person describe cards and do not. No card list stands
behind a K or a share (most answers, the six-monthly and quarterly ones, follow no card), so these
charts have no drill-down: their answers are listed on the surveys' pages."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import User
from amends.complaints.choices import LEAVING_NORM, NOT_RECOMMENDING_NORM
from amends.surveys.choices import ResponseSource
from amends.surveys.figures import QuarterRow, by_quarter, criterion_matrix
from amends.surveys.models.policy import policy
from amends.surveys.selectors import Segment, responses_in

from ..charts import ChartData, ChartSpec, Point, Series, register_chart
from ..filters import AnalyticsFilter
from .shared import once

NO_ANSWERS = _("No survey answers match this period and product.")
K, RESPONSES = "k", "responses"
NOT_RECOMMENDING, LEAVING = "not_recommending_pct", "leaving_pct"
NOT_RECOMMENDING_LIMIT, LEAVING_LIMIT = "not_recommending_norm", "leaving_norm"
SCORE, IMPORTANCE = "score", "importance"


def segment(filters: AnalyticsFilter) -> Segment:
    return Segment(product_id=filters.product)


def filters_note(filters: AnalyticsFilter) -> str:
    """Which of the analysis' filters the answers follow, said when one that does not apply is set."""
    if filters.department or filters.category or filters.channel or filters.responsible:
        return gettext("Survey answers are filtered by the period and the product only: the department, "
                       "category, channel and responsible person describe cards and do not apply to them.")
    return ""


def joined(*sentences: str) -> str:
    return " ".join(sentence for sentence in sentences if sentence)


def plain(value: Decimal) -> str:
    """8.00 as "8", 7.50 as "7.5"."""
    return format(value.normalize(), "f")


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def quarter_rows(filters: AnalyticsFilter) -> list[QuarterRow]:
    """Each quarter the period touches; the K and loyalty charts of a page read them once."""
    return once(("survey_quarters", filters.start, filters.end, filters.product),
                lambda: by_quarter(filters.start, filters.end, segment(filters)))


# K by quarter -------------------------------------------------------------------------------------

K_BY_QUARTER_TITLE = _("Satisfaction coefficient K by quarter (surveys)")


def k_by_quarter(user: User, filters: AnalyticsFilter) -> ChartData:
    threshold = policy().k_threshold
    rows = quarter_rows(filters)
    below = [row.key for row in rows if row.summary.k is not None and row.summary.k < threshold]
    note = gettext("The mean K of the survey answers of each quarter (each answer counts once) against "
                   "the threshold of %(threshold)s.") % {"threshold": plain(threshold)}
    if below:
        note = joined(note, gettext("Below the threshold: %(quarters)s.") % {"quarters": ", ".join(below)})
    return ChartData(
        key="survey_k_by_quarter", title=K_BY_QUARTER_TITLE, kind="lines",
        series=[Series(K, _("Coefficient K"), unit="K", drillable=False),
                Series(RESPONSES, _("Survey answers"), drillable=False)],
        points=[Point(row.key, row.key, {K: _number(row.summary.k), RESPONSES: row.summary.responses})
                for row in rows],
        note=joined(note, filters_note(filters)), mark=float(threshold), empty_message=NO_ANSWERS,
    )


# The loyalty shares by quarter --------------------------------------------------------------------

LOYALTY_BY_QUARTER_TITLE = _("Not recommending and leaving by quarter (surveys)")


def loyalty_by_quarter(user: User, filters: AnalyticsFilter) -> ChartData:
    rows = quarter_rows(filters)
    answered = any(row.summary.responses for row in rows)
    points = []
    breaches = []
    for row in rows:
        summary = row.summary
        points.append(Point(row.key, row.key, {
            NOT_RECOMMENDING: _number(summary.not_recommending_share), LEAVING: _number(summary.leaving_share),
            # The norms as lines, drawn only when there is something to hold against them.
            NOT_RECOMMENDING_LIMIT: NOT_RECOMMENDING_NORM if answered else None,
            LEAVING_LIMIT: LEAVING_NORM if answered else None,
        }))
        # Exact: 20.04 % reads as 20.0 % and is still beyond the norm.
        if summary.asked_recommend and summary.recommending_norm_breached:
            breaches.append(gettext("%(quarter)s: beyond the norm of not recommending us.") % {"quarter": row.key})
        if summary.asked_continue and summary.leaving_norm_breached:
            breaches.append(gettext("%(quarter)s: beyond the norm of leaving.") % {"quarter": row.key})
    note = gettext(
        "The shares of the survey answers that would not recommend us and that will not keep working with us, "
        "of those that answered each question. Norm: at most %(recommending)s %% not recommending and at "
        "most %(leaving)s %% leaving."
    ) % {"recommending": NOT_RECOMMENDING_NORM, "leaving": LEAVING_NORM}
    if breaches:
        breaches.append(gettext("Act at once."))
    return ChartData(
        key="survey_loyalty_by_quarter", title=LOYALTY_BY_QUARTER_TITLE, kind="lines",
        series=[
            Series(NOT_RECOMMENDING, _("Would not recommend us, %"), unit="%", drillable=False),
            Series(LEAVING, _("Will not keep working with us, %"), unit="%", drillable=False),
            Series(NOT_RECOMMENDING_LIMIT, _("Norm: not recommending, %"), unit="%", drillable=False),
            Series(LEAVING_LIMIT, _("Norm: leaving, %"), unit="%", drillable=False),
        ],
        points=points, note=joined(note, *breaches, filters_note(filters)), empty_message=NO_ANSWERS,
    )


# The criteria ------------------------------------------------------------------------------------

CRITERIA_TITLE = _("Criteria: mean score and importance (surveys)")


def criteria_chart(user: User, filters: AnalyticsFilter) -> ChartData:
    threshold = policy().k_threshold
    rows = criterion_matrix(responses_in(filters.start, filters.end, segment(filters)), threshold)
    priority = [row.name for row in rows if row.priority]
    note = gettext("The mean score and importance (1–10) each criterion was given in the period's survey "
                   "answers that rated it; the line is the K threshold of %(threshold)s.") % {
        "threshold": plain(threshold)}
    if priority:
        note = joined(note, gettext("Priority (important and scored below the threshold): %(names)s.") % {
            "names": ", ".join(priority)})
    elif rows:
        note = joined(note, gettext("No criterion is both important (8 or more) and scored below the threshold."))
    return ChartData(
        key="survey_criteria", title=CRITERIA_TITLE, kind="bars",
        series=[Series(SCORE, _("Mean score"), unit="K", drillable=False),
                Series(IMPORTANCE, _("Mean importance"), unit="K", drillable=False)],
        points=[Point(row.key, row.name, {SCORE: float(row.score), IMPORTANCE: float(row.importance)})
                for row in rows],
        note=joined(note, filters_note(filters)), mark=float(threshold), empty_message=NO_ANSWERS,
    )


# How the answers came -----------------------------------------------------------------------------

SOURCES_TITLE = _("Survey answers by how they came")


def by_source(user: User, filters: AnalyticsFilter) -> ChartData:
    counts = dict(
        responses_in(filters.start, filters.end, segment(filters)).order_by().values("source")
        .annotate(n=Count("pk")).values_list("source", "n")
    )
    return ChartData(
        key="survey_responses_by_source", title=SOURCES_TITLE, kind="bars",
        series=[Series(RESPONSES, _("Survey answers"), drillable=False)],
        points=[Point(value, label, {RESPONSES: counts.get(value, 0)}) for value, label in ResponseSource.choices],
        note=joined(gettext("Through the personal link, or typed in by staff from a paper, fax, phone or "
                            "e-mail answer."), filters_note(filters)),
        empty_message=NO_ANSWERS,
    )


def register() -> None:
    specs: Iterable[ChartSpec] = [
        ChartSpec("survey_k_by_quarter", K_BY_QUARTER_TITLE, k_by_quarter, tags=("surveys",),
                  description=_("The customers' satisfaction coefficient K from the surveys, against the threshold.")),
        ChartSpec("survey_loyalty_by_quarter", LOYALTY_BY_QUARTER_TITLE, loyalty_by_quarter, tags=("surveys",)),
        ChartSpec("survey_criteria", CRITERIA_TITLE, criteria_chart, tags=("surveys",)),
        ChartSpec("survey_responses_by_source", SOURCES_TITLE, by_source, tags=("surveys",)),
    ]
    for spec in specs:
        register_chart(spec)
