"""The figures of the yearly statement of complaint analysis: the year against the year before, by
the seeds' two lenses (justification and loyalty), with the causes, the suppliers against their norms,
the corrective actions and the satisfaction with the resolution.

The counted cards of a year are counted in one pass in the database, a count per channel,
justification, loyalty and cause; every card figure is made of those counts. The
response times and the on-time share are the dashboards' own charts (the one definition of each),
computed for the whole year when they are registered.

An approved statement is frozen: its figures are kept at approval (figures_snapshot) and read back
from the statement, so a card classified later changes a draft, never an approved statement."""

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import User
from amends.capa.choices import PeriodKind
from amends.capa.models import Action, EffectivenessCheck, Nonconformity
from amends.capa.norms import NormRow, norm_status
from amends.capa.periods import period_of
from amends.complaints.choices import LEAVING_NORM, NOT_RECOMMENDING_NORM, Channel, Justification, Loyalty
from amends.complaints.models import Cause
from amends.core.links import absolute_url
from amends.surveys.figures import criterion_matrix, suggestions
from amends.surveys.models.policy import policy
from amends.surveys.selectors import KSummary, k_summary, responses_in

from .charts import CHARTS, ChartData
from .figures.shared import computed_together
from .filters import AnalyticsFilter
from .models import YearlyStatement
from .selectors import counted_complaints

NONE = "none"  # the key of an empty field (no justification yet, loyalty not asked, no cause)
# The dashboards' charts the statement takes its timeliness from, and the series it shows of each.
TIMELINESS_CHARTS = {
    "response_times": (("median_h", _("median, h")), ("p90_h", _("90th percentile, h"))),
    "on_time_share": (("on_time_pct", _("answered on time, %")),),
}


def year_filter(year: int) -> AnalyticsFilter:
    return AnalyticsFilter(start=date(year, 1, 1), end=date(year, 12, 31))


@dataclass(frozen=True)
class Row:
    label: str | Promise
    current: float | int | None
    previous: float | int | None
    unit: str = ""  # "" a count of cards, "%", "h" (hours), "mean" (a mean on the 1-10 scale)
    norm: int | None = None  # the suppliers' rows: the norm the current year's count is held against
    cumulative: float | None = None  # the causes' rows: the share of the year's cards down to this cause, %
    key: str = ""
    breached: bool | None = None  # a share's norm compared exactly (the rounded share may read as the norm)

    @property
    def change(self) -> float | int | None:
        if self.current is None or self.previous is None:
            return None
        change = self.current - self.previous
        return round(change, 2 if self.unit == "K" else 1) if isinstance(change, float) else change

    @property
    def exceeded(self) -> bool:
        if self.breached is not None:
            return self.breached
        return self.norm is not None and self.current is not None and self.current > self.norm


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise
    rows: list[Row]
    note: str | Promise = ""
    extra: str = ""  # the column a section has besides the two years: "norm" or "cumulative"
    link: str = ""  # where the section's figures are shown in full (the surveys' reports page)


@dataclass
class YearCounts:
    """One year's counted cards, summed from the grouped rows."""

    received: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    justification: dict[str, int] = field(default_factory=dict)
    loyalty: dict[str, int] = field(default_factory=dict)
    by_cause: dict[str, int] = field(default_factory=dict)
    rated: int = 0
    satisfaction_sum: int = 0

    @property
    def satisfaction_mean(self) -> float | None:
        return round(self.satisfaction_sum / self.rated, 1) if self.rated else None


@dataclass
class YearlyFigures:
    year: int
    current: YearCounts
    previous: YearCounts
    sections: list[Section]
    statement: YearlyStatement | None = None
    frozen: bool = False  # the figures kept at approval, not computed now

    @property
    def version_note(self) -> str:
        """Which figures these are, said on the page and in the workbook and the PDF."""
        statement = self.statement
        if self.frozen and statement is not None and statement.approved_at is not None:
            when = formats.date_format(timezone.localtime(statement.approved_at), "SHORT_DATE_FORMAT")
            return gettext("The approved version of %(date)s: the figures as they were when the statement was "
                           "approved; later changes to cards do not change them.") % {"date": when}
        return gettext("The figures as of now: until the statement is approved they change with the cards.")

    @property
    def empty(self) -> bool:
        """No counted card in the year: the statement says so instead of a table of zeros."""
        return self.current.received == 0

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 12, 31)


def _tallies() -> dict[str, Count | Sum]:
    """A count per value of each field the statement splits by, "field:value" each, so that one pass
    over the year's cards counts them all (a GROUP BY of the four fields sorts the year's cards
    first, twice as slow on SQLite at 200,000 cards a year)."""
    fields: dict[str, list] = {
        "channel": Channel.values, "justification": [*Justification.values, ""], "loyalty": [*Loyalty.values, ""],
        "cause": list(Cause.objects.values_list("pk", flat=True)),
    }
    tallies: dict[str, Count | Sum] = {
        f"{name}:{value or NONE}": Count("received_at", filter=Q(**{name: value}))
        for name, values in fields.items() for value in values
    }
    tallies[f"cause:{NONE}"] = Count("received_at", filter=Q(cause__isnull=True))
    return {**tallies, "received": Count("received_at"), "rated": Count("satisfaction"),
            "satisfaction_sum": Sum("satisfaction")}


def year_counts(user: User, year: int) -> YearCounts:
    found = counted_complaints(user, year_filter(year)).aggregate(**_tallies())
    counts = YearCounts(received=found.pop("received"), rated=found.pop("rated"),
                        satisfaction_sum=found.pop("satisfaction_sum") or 0)
    split = {"channel": counts.by_channel, "justification": counts.justification, "loyalty": counts.loyalty,
             "cause": counts.by_cause}
    for name, n in found.items():
        if n:
            field_name, value = name.split(":", 1)
            split[field_name][value] = n
    return counts


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _count_rows(keys: Iterable[tuple[str, str | Promise]], current: dict[str, int],
                previous: dict[str, int]) -> list[Row]:
    return [Row(label, current.get(key, 0), previous.get(key, 0), key=key) for key, label in keys]


def received_section(current: YearCounts, previous: YearCounts) -> Section:
    channels = [(value, label) for value, label in Channel.choices
                if current.by_channel.get(value) or previous.by_channel.get(value)]
    return Section("received", _("Complaints received"), [
        Row(_("Complaints and claims received"), current.received, previous.received, key="received"),
        *_count_rows(channels, current.by_channel, previous.by_channel),
    ], _("By channel of receipt."))


def _justified_share(counts: YearCounts) -> float | None:
    justified = counts.justification.get(Justification.JUSTIFIED, 0) + counts.justification.get(Justification.PARTLY, 0)
    return percent(justified, counts.received - counts.justification.get(NONE, 0))


def justification_section(current: YearCounts, previous: YearCounts) -> Section:
    keys = [*Justification.choices, (NONE, _("Not decided yet"))]
    return Section("justification", _("Analysis of justification"), [
        *_count_rows(keys, current.justification, previous.justification),
        Row(_("Justified or partly justified, share of those decided, %"), _justified_share(current),
            _justified_share(previous), unit="%", key="justified_share"),
    ])


def _loyalty_shares(counts: YearCounts) -> tuple[float | None, float | None]:
    known = counts.received - counts.loyalty.get(NONE, 0)
    not_recommending = counts.loyalty.get(Loyalty.STAYS, 0) + counts.loyalty.get(Loyalty.LEAVES, 0)
    return percent(not_recommending, known), percent(counts.loyalty.get(Loyalty.LEAVES, 0), known)


def loyalty_section(current: YearCounts, previous: YearCounts) -> Section:
    keys = [*Loyalty.choices, (NONE, _("Not known"))]
    current_not, current_leaving = _loyalty_shares(current)
    previous_not, previous_leaving = _loyalty_shares(previous)
    return Section("loyalty", _("Analysis of loyalty"), [
        *_count_rows(keys, current.loyalty, previous.loyalty),
        Row(_("Would not recommend us, share of those asked, %"), current_not, previous_not, unit="%",
            key="not_recommending"),
        Row(_("Refuse further cooperation, share of those asked, %"), current_leaving, previous_leaving, unit="%",
            key="leaving"),
    ], _("The norms: at most 2 in 10 not recommending us, at most 3 in 10 leaving."))


def satisfaction_section(current: YearCounts, previous: YearCounts) -> Section:
    return Section("satisfaction", _("Satisfaction with the resolution"), [
        Row(_("Mean satisfaction (1-10)"), current.satisfaction_mean, previous.satisfaction_mean, unit="mean",
            key="mean"),
        Row(_("Complaints rated"), current.rated, previous.rated, key="rated"),
    ])


def causes_section(current: YearCounts, previous: YearCounts) -> Section:
    """The causes as a Pareto table: the most frequent of the year first, with the cumulative share."""
    keys = set(current.by_cause) | set(previous.by_cause)
    names = {str(cause.pk): cause.localized_name
             for cause in Cause.objects.filter(pk__in=[key for key in keys if key != NONE])}
    order = sorted(keys, key=lambda key: (-current.by_cause.get(key, 0), -previous.by_cause.get(key, 0),
                                          key == NONE, str(names.get(key, ""))))
    rows, running = [], 0
    for key in order:
        running += current.by_cause.get(key, 0)
        rows.append(Row(names.get(key, _("No cause")), current.by_cause.get(key, 0), previous.by_cause.get(key, 0),
                        cumulative=percent(running, current.received), key=key))
    return Section("causes", _("Causes (Pareto)"), rows,
                   _("The most frequent causes of the year first, with the cumulative share of its complaints."),
                   extra="cumulative")


def norms_section(year: int) -> Section:
    """capa's norm rows of each year (justified and partly justified complaints by the manufacturer's
    fault and by suppliers' components), the current year's norms applied."""

    def by_subject(rows: list[NormRow]) -> dict[tuple[str, int | None], NormRow]:
        return {(row.subject, row.supplier.pk if row.supplier else None): row for row in rows}

    current = by_subject(norm_status(period_of(PeriodKind.YEAR, date(year, 1, 1))))
    previous = by_subject(norm_status(period_of(PeriodKind.YEAR, date(year - 1, 1, 1))))
    rows = []
    for key, row in current.items():
        label = row.supplier.localized_name if row.supplier else row.subject_label
        before = previous.get(key)
        rows.append(Row(label, row.count, before.count if before else 0, norm=row.norm, key=f"{key[0]}:{key[1] or ''}"))
    return Section("norms", _("Suppliers and the manufacturer against the norms"), rows,
                   _("Justified and partly justified complaints of the year against the norm of each."), extra="norm")


@dataclass(frozen=True)
class CapaCounts:
    opened: int
    closed: int
    actions_done: int
    effective: int
    not_effective: int


def capa_counts(year: int) -> CapaCounts:
    start, end = year_filter(year).bounds()

    def between(name: str) -> dict:
        return {f"{name}__gte": start, f"{name}__lt": end}

    checks = EffectivenessCheck.objects.filter(**between("checked_at")).aggregate(
        found_effective=Count("pk", filter=Q(effective=True)), found_not=Count("pk", filter=Q(effective=False)),
    )
    return CapaCounts(
        opened=Nonconformity.objects.filter(**between("opened_at")).count(),
        closed=Nonconformity.objects.filter(**between("closed_at")).count(),
        actions_done=Action.objects.filter(**between("done_at")).count(),
        effective=checks["found_effective"], not_effective=checks["found_not"],
    )


def capa_section(year: int) -> Section:
    current, previous = capa_counts(year), capa_counts(year - 1)
    return Section("capa", _("Corrective actions and their effectiveness"), [
        Row(_("Nonconformities opened"), current.opened, previous.opened, key="opened"),
        Row(_("Nonconformities closed"), current.closed, previous.closed, key="closed"),
        Row(_("Actions done"), current.actions_done, previous.actions_done, key="actions_done"),
        Row(_("Effectiveness checks: effective"), current.effective, previous.effective, key="effective"),
        Row(_("Effectiveness checks: not effective"), current.not_effective, previous.not_effective,
            key="not_effective"),
        Row(_("Checks that found the action effective, %"),
            percent(current.effective, current.effective + current.not_effective),
            percent(previous.effective, previous.effective + previous.not_effective), unit="%", key="effective_share"),
    ], _("Counted by the date each was opened, closed, done or checked."))


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def surveys_reports_url(year: int) -> str:
    """The surveys' reports page for the whole year (absolute: the PDF and the workbook link it too)."""
    query = urlencode({"start": date(year, 1, 1).isoformat(), "end": date(year, 12, 31).isoformat()})
    return absolute_url(f"{reverse('surveys:reports')}?{query}")


def surveys_section(year: int) -> Section:
    """The satisfaction surveys' year against the year before (amends.surveys' own figures): K, the
    loyalty shares against the norms (compared exactly), the year's priority criteria, the suggestions."""
    threshold = policy().k_threshold
    answers = {one: responses_in(date(one, 1, 1), date(one, 12, 31)) for one in (year, year - 1)}
    summaries: dict[int, KSummary] = {one: k_summary(responses, threshold) for one, responses in answers.items()}
    link = surveys_reports_url(year)
    title = _("Satisfaction surveys")
    if not summaries[year].responses and not summaries[year - 1].responses:
        return Section("surveys", title, [], gettext("No survey answers were recorded in %(year)s or %(previous)s.")
                       % {"year": year, "previous": year - 1}, link=link)
    current, previous = summaries[year], summaries[year - 1]
    rows = [
        Row(_("Survey answers"), current.responses, previous.responses, key="responses"),
        Row(_("Mean satisfaction coefficient K"), _float(current.k), _float(previous.k), unit="K", key="k"),
        Row(gettext("Answers with K below the threshold (%(threshold)s)") % {
            "threshold": format(threshold.normalize(), "f")},
            current.below_threshold, previous.below_threshold, key="below"),
        Row(_("Would not recommend us, share of those asked, %"), _float(current.not_recommending_share),
            _float(previous.not_recommending_share), unit="%", norm=NOT_RECOMMENDING_NORM,
            breached=bool(current.asked_recommend) and current.recommending_norm_breached, key="not_recommending"),
        Row(_("Will not keep working with us, share of those asked, %"), _float(current.leaving_share),
            _float(previous.leaving_share), unit="%", norm=LEAVING_NORM,
            breached=bool(current.asked_continue) and current.leaving_norm_breached, key="leaving"),
    ]
    before = {row.key: row for row in criterion_matrix(answers[year - 1], threshold)}
    priority = [row for row in criterion_matrix(answers[year], threshold) if row.priority]
    rows += [
        Row(gettext("Priority criterion: %(name)s, mean score") % {"name": row.name}, float(row.score),
            float(before[row.key].score) if row.key in before else None, unit="K", key=f"criterion:{row.key}")
        for row in priority
    ]
    rows.append(Row(_("Suggestions"), suggestions(answers[year]).count(), suggestions(answers[year - 1]).count(),
                    key="suggestions"))
    norms = gettext("From the customers' survey answers, by the day each came. The norms: at most "
                    "%(recommending)s %% not recommending us, at most %(leaving)s %% leaving.") % {
        "recommending": NOT_RECOMMENDING_NORM, "leaving": LEAVING_NORM}
    if priority:
        criteria = gettext("Priority criteria matter most (importance 8 or more) and score below the threshold.")
    else:
        criteria = gettext("No criterion of the year both matters most (importance 8 or more) and scores below "
                           "the threshold.")
    note = f"{norms} {criteria}"
    return Section("surveys", title, rows, note, extra="norm", link=link)


def timeliness_section(user: User, year: int) -> Section | None:
    """The response times and the on-time share per clock, as the dashboards compute them, for the
    two whole years; None when neither chart is registered."""
    rows: list[Row] = []
    for key, shown in TIMELINESS_CHARTS.items():
        spec = CHARTS.get(key)
        if spec is None:
            continue
        current, previous = spec.compute(user, year_filter(year)), spec.compute(user, year_filter(year - 1))
        rows += _chart_rows(current, previous, shown)
    if not rows:
        return None
    return Section("timeliness", _("Response times and deadlines met"), rows,
                   _("Clocks a person had to meet only, as on the Timeliness dashboard."))


def _chart_rows(current: ChartData, previous: ChartData, shown) -> list[Row]:
    before = {point.key: point for point in previous.points}
    units = {series.key: series.unit for series in current.series}
    rows = []
    for point in current.points:
        earlier = before.get(point.key)
        for series, label in shown:
            rows.append(Row(
                f"{point.label}: {label}", point.values.get(series), earlier.values.get(series) if earlier else None,
                unit=units.get(series, ""), key=f"{point.key}:{series}",
            ))
    return rows


def _sections(user: User, year: int, current: YearCounts, previous: YearCounts) -> list[Section]:
    with computed_together():  # the timeliness charts of a year read their clocks once
        sections = [
            received_section(current, previous),
            justification_section(current, previous),
            loyalty_section(current, previous),
            satisfaction_section(current, previous),
            timeliness_section(user, year),
            causes_section(current, previous),
            norms_section(year),
            capa_section(year),
            surveys_section(year),
        ]
    return [section for section in sections if section]


def yearly_figures(user: User, year: int) -> YearlyFigures:
    """The approved statement's kept figures, or a draft's (or a year without a statement) computed now."""
    statement = YearlyStatement.objects.filter(year=year).select_related("approved_by").first()
    if statement is not None and statement.approved and statement.figures:
        return approved_figures(statement)
    current, previous = year_counts(user, year), year_counts(user, year - 1)
    return YearlyFigures(year=year, current=current, previous=previous,
                         sections=_sections(user, year, current, previous), statement=statement)


def _json_number(value: float | int | Decimal | None) -> float | int | None:
    return float(value) if isinstance(value, Decimal) else value


def _section_json(section: Section) -> dict:
    return {
        "key": section.key, "title": str(section.title), "note": str(section.note), "extra": section.extra,
        "link": section.link,
        "rows": [{"label": str(row.label), "current": _json_number(row.current),
                  "previous": _json_number(row.previous), "unit": row.unit, "norm": row.norm,
                  "cumulative": _json_number(row.cumulative), "key": row.key, "breached": row.breached}
                 for row in section.rows],
    }


def figures_snapshot(user: User, year: int) -> dict:
    """The figures to keep with the statement at approval: the counts once, the sections' words in every
    language of the site, so each reader reads the approved statement in their own."""
    current, previous = year_counts(user, year), year_counts(user, year - 1)
    sections = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            sections[language] = [_section_json(section) for section in _sections(user, year, current, previous)]
    return {"current": asdict(current), "previous": asdict(previous), "sections": sections}


def approved_figures(statement: YearlyStatement) -> YearlyFigures:
    kept: dict = statement.figures or {}
    by_language = kept["sections"]
    sections = by_language.get(translation.get_language()) or by_language.get(settings.LANGUAGE_CODE) or []
    return YearlyFigures(
        year=statement.year, current=YearCounts(**kept["current"]), previous=YearCounts(**kept["previous"]),
        sections=[Section(**{**section, "rows": [Row(**row) for row in section["rows"]]}) for section in sections],
        statement=statement, frozen=True,
    )
