"""The dashboards and the drill-down: who sees them, what they draw, and that every bar's link lists
exactly the cards it counted. The charts here are the tests' own, registered for the test."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count, QuerySet
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve, reverse

from amends.accounts.models import User
from amends.analytics.charts import CHARTS, ChartData, ChartSpec, Point, Series
from amends.analytics.dashboards import DASHBOARDS, Dashboard
from amends.analytics.filters import AnalyticsFilter
from amends.analytics.links import drill_url
from amends.analytics.selectors import counted_complaints
from amends.complaints.choices import Channel
from amends.complaints.models import Complaint

from . import board_fixtures
from .board_fixtures import COUNTED_IN_PERIOD

# Marked, so that pytest-django runs these before the transactional tests that empty the role groups.
pytestmark = pytest.mark.django_db

counted_cards = board_fixtures.counted_cards  # the fixture, where pytest finds it

PERIOD = {"start": "2026-03-01", "end": "2026-05-31"}
EMPTY = "No complaints match these filters in this period."
NOT_COUNTED = "Duplicates, withdrawn cards, objections and other requests are not counted."


def by_channel(user: User, filters: AnalyticsFilter) -> ChartData:
    """A test chart: the counted cards by channel, a share of all (not drillable), and "all" as a point."""
    counts = dict(counted_complaints(user, filters).values_list("channel").annotate(n=Count("pk")).order_by())
    total = sum(counts.values())
    points = [
        Point(value, label, {"cards": counts[value], "share": round(100 * counts[value] / total, 1)})
        for value, label in Channel.choices if value in counts
    ]
    points.append(Point("all", "All channels", {"cards": total, "share": 100.0 if total else None}))
    return ChartData("test_by_channel", "Cards by channel", "bars",
                     [Series("cards", "Cards"), Series("share", "Share", "%", drillable=False)], points,
                     note="A test chart's note.")


def by_channel_drill(user: User, filters: AnalyticsFilter, point: str, series: str) -> QuerySet[Complaint]:
    cards = counted_complaints(user, filters)
    return cards if point == "all" else cards.filter(channel=point)


def undrillable(user: User, filters: AnalyticsFilter) -> ChartData:
    count = counted_complaints(user, filters).count()
    return ChartData("test_plain", "Plain count", "bars", [Series("cards", "Cards")],
                     [Point("all", "All", {"cards": count})])


@pytest.fixture
def test_charts(monkeypatch):
    monkeypatch.setitem(CHARTS, "test_by_channel", ChartSpec("test_by_channel", "Cards by channel", by_channel,
                                                             by_channel_drill))
    monkeypatch.setitem(CHARTS, "test_plain", ChartSpec("test_plain", "Plain count", undrillable))
    # A chart key nobody registered is skipped, as before its branch is merged.
    monkeypatch.setitem(DASHBOARDS, "overview", Dashboard("overview", "Overview", (
        "test_by_channel", "test_plain", "nobody_registered_this",
    )))
    monkeypatch.setitem(DASHBOARDS, "causes", Dashboard("causes", "Causes", ("test_plain", "test_by_channel")))


@pytest.fixture
def overseer(client, qms):
    qms.language = "en"
    qms.save(update_fields=["language"])
    client.force_login(qms)
    return client


def page(client, url: str, **query) -> str:
    response = client.get(url, query)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def drill_links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'<a href="([^"]*/analytics/cards/[^"]*)"', html)]


COUNTED_SQL = (
    "FROM complaints_complaint WHERE request_type IN ('complaint', 'claim') "
    "AND state NOT IN ('duplicate', 'withdrawn') AND received_at >= %s AND received_at < %s"
)


def sql_rows(filters: AnalyticsFilter, select: str, rest: str = "", params: tuple = ()) -> list[tuple]:
    start, end = (connection.ops.adapt_datetimefield_value(moment) for moment in filters.bounds())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} {COUNTED_SQL} {rest}", [start, end, *params])
        return list(cursor.fetchall())


def sql_channel_counts(filters: AnalyticsFilter) -> dict[str, int]:
    return dict(sql_rows(filters, "channel, COUNT(*)", "GROUP BY channel"))


def sql_numbers(filters: AnalyticsFilter, channel: str) -> set[str]:
    return {number for (number,) in sql_rows(filters, "number", "AND channel = %s", (channel,))}


# Who lands where, and who sees the analysis.

@pytest.mark.parametrize(("role", "lands_on"), [
    ("qms", "analytics:dashboard"), ("manager", "analytics:dashboard"), ("administrator", "analytics:dashboard"),
    ("operator", "complaints:list"), ("responsible", "complaints:list"),
])
def test_home_sends_overseers_to_the_dashboard_and_others_to_the_list(request, client, role, lands_on):
    client.force_login(request.getfixturevalue(role))
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse(lands_on)
    assert resolve_url(settings.LOGIN_REDIRECT_URL) == reverse("analytics:home")


@pytest.mark.parametrize("role", ["operator", "responsible", "executor"])
def test_only_overseers_see_the_analysis(request, client, role, test_charts):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("analytics:dashboard")).status_code == 403
    assert client.get(reverse("analytics:board", args=["causes"])).status_code == 403
    assert client.get(reverse("analytics:cards"), {"chart": "test_by_channel", "point": "all",
                                                   "series": "cards"}).status_code == 403
    assert f'href="{reverse("analytics:dashboard")}"' not in page(client, reverse("complaints:list"))


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("analytics:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_top_bar_links_an_overseer_to_the_analysis(overseer, test_charts):
    html = page(overseer, reverse("complaints:list"))
    assert f'<a href="{reverse("analytics:dashboard")}">Analysis</a>' in html


# The dashboard page.

def test_the_dashboard_draws_each_registered_chart_with_its_table_note_and_tabs(overseer, counted_cards, test_charts):
    html = page(overseer, reverse("analytics:dashboard"), **PERIOD)
    assert 'id="chart-test_by_channel"' in html and 'id="chart-test_plain"' in html
    assert "nobody_registered_this" not in html
    assert html.count("<svg") == 2
    assert html.count('class="chart-table"') == 2 and "<details" in html
    assert "A test chart&#x27;s note." in html
    assert NOT_COUNTED in html
    assert "Period: 1 Mar 2026 – 31 May 2026" in html
    # Tabs to every dashboard, the current one marked, each keeping the filters.
    for key in DASHBOARDS:
        assert f'href="{reverse("analytics:board", args=[key])}?start=2026-03-01&amp;end=2026-05-31"' in html
    assert re.search(r'aria-current="page">Overview<', html)
    # The table gives the same figures as the chart, the share read as a percentage.
    sql = sql_channel_counts(counted_cards.filters)
    for channel, count in sql.items():
        label = Channel(channel).label
        assert re.search(rf'<th scope="row">{label}</th><td data-label="Cards"><a href="[^"]+">{count}</a></td>', html)


def test_every_bar_lists_exactly_the_cards_it_counted(overseer, counted_cards, test_charts):
    html = page(overseer, reverse("analytics:dashboard"), **PERIOD)
    links = set(drill_links(html))
    sql = sql_channel_counts(counted_cards.filters)
    # A link per channel and "all" (the share's dots and cells link to the same lists), none for test_plain.
    assert {parse_qs(urlsplit(link).query)["point"][0] for link in links} == {*sql, "all"}
    assert all(parse_qs(urlsplit(link).query)["chart"] == ["test_by_channel"] for link in links)
    for link in links:
        query = parse_qs(urlsplit(link).query)
        point = query["point"][0]
        expected = COUNTED_IN_PERIOD if point == "all" else sql[point]
        listed = page(overseer, link)
        assert re.search(rf'id="drill-count"><strong>{expected} cards?</strong>', listed), (point, expected)
        if point != "all":
            numbers = set(re.findall(r'<td class="nowrap number"><a href="[^"]+">([^<]+)</a>', listed))
            assert numbers == sql_numbers(counted_cards.filters, point)


def test_without_filters_the_default_period_is_drawn(overseer, counted_cards, test_charts):
    html = page(overseer, reverse("analytics:dashboard"))
    default = AnalyticsFilter.default()
    assert f'value="{default.start.isoformat()}"' in html and f'value="{default.end.isoformat()}"' in html
    assert 'id="chart-test_by_channel"' in html


def test_any_dashboard_by_its_key_and_no_other(overseer, counted_cards, test_charts):
    html = page(overseer, reverse("analytics:board", args=["causes"]), **PERIOD)
    assert re.search(r'aria-current="page">Causes<', html)
    assert html.index('id="chart-test_plain"') < html.index('id="chart-test_by_channel"')
    assert overseer.get("/analytics/nothing/").status_code == 404
    # The app's other pages are never taken for a dashboard.
    assert resolve("/analytics/monthly/").url_name == "monthly"
    with pytest.raises(Resolver404):
        resolve("/analytics/nothing/")


@pytest.mark.parametrize(("query", "error"), [
    ({"start": "2026-05-31", "end": "2026-03-01"}, "The period ends before it starts"),
    ({"start": "31.31.2026"}, "Enter a valid date."),
    ({"department": "999999"}, "Select a valid choice."),
])
def test_bad_filters_show_the_error_and_no_figures(overseer, counted_cards, test_charts, query, error):
    html = page(overseer, reverse("analytics:dashboard"), **query)
    assert error in html
    assert "<svg" not in html and "chart-card" not in html
    assert "Correct the filters above to see the figures." in html


@pytest.mark.parametrize("query", [
    {"start": "2020-01-01", "end": "2020-12-31"},  # a period with no cards
    {**PERIOD, "channel": "fax"},  # a filter that matches nothing
])
def test_nothing_to_count_says_so_instead_of_drawing(overseer, counted_cards, test_charts, query):
    html = page(overseer, reverse("analytics:dashboard"), **query)
    assert html.count(EMPTY) == 2
    assert "<svg" not in html and "chart-table" not in html
    assert not drill_links(html)


# The drill-down page.

def test_the_drill_down_shows_its_figure_the_filters_and_the_way_back(overseer, counted_cards, test_charts):
    department = counted_cards.departments[0]
    filters = AnalyticsFilter(start=board_fixtures.START, end=board_fixtures.END, department=department.pk)
    html = page(overseer, reverse("analytics:cards"), chart="test_by_channel", point="email", series="cards",
                board="causes", **filters.params())
    [(expected,)] = sql_rows(filters, "COUNT(*)", "AND channel = 'email' AND department_concerned_id = %s",
                             (department.pk,))
    assert 0 < expected
    assert "<h1>Cards by channel: E-mail</h1>" in html
    assert re.search(rf'id="drill-count"><strong>{expected} cards?</strong>: Cards<', html)
    assert f"Department: {department.name}" in html
    assert NOT_COUNTED in html
    back = f'{reverse("analytics:board", args=["causes"])}?{filters.querystring()}'.replace("&", "&amp;")
    assert f'id="drill-back" href="{back}"' in html or f'href="{back}" id="drill-back"' in html


def test_without_a_board_the_way_back_is_the_first_dashboard_showing_the_chart(overseer, counted_cards, test_charts):
    html = page(overseer, reverse("analytics:cards"), chart="test_by_channel", point="all", series="cards", **PERIOD)
    assert f'href="{reverse("analytics:board", args=["overview"])}?start=2026-03-01&amp;end=2026-05-31"' in html


def test_a_share_lists_the_cards_of_its_count(overseer, counted_cards, test_charts):
    html = page(overseer, reverse("analytics:cards"), chart="test_by_channel", point="phone", series="share",
                **PERIOD)
    expected = sql_channel_counts(counted_cards.filters)["phone"]
    assert re.search(rf'id="drill-count"><strong>{expected} cards?</strong>: Cards \(the cards behind “Share”\)',
                     html)


def test_the_drill_down_is_paged(overseer, counted_cards, test_charts):
    first = page(overseer, reverse("analytics:cards"), chart="test_by_channel", point="all", series="cards",
                 **PERIOD)
    assert first.count('<td class="nowrap number">') == 25
    assert "Page 1 of 2" in first
    second = page(overseer, reverse("analytics:cards"), chart="test_by_channel", point="all", series="cards",
                  page=2, **PERIOD)
    assert second.count('<td class="nowrap number">') == COUNTED_IN_PERIOD - 25


@pytest.mark.parametrize(("query", "message"), [
    ({"chart": "no_such_chart", "point": "all", "series": "cards"}, "There is no such chart."),
    ({"chart": "test_by_channel", "point": "pigeon", "series": "cards"}, "This chart has no such figure"),
    ({"chart": "test_by_channel", "point": "all", "series": "weight"}, "This chart has no such figure"),
    ({"chart": "test_plain", "point": "all", "series": "cards"}, "No list of cards stands behind this chart"),
    ({"chart": "test_by_channel", "point": "all", "series": "cards", "start": "2026-05-31", "end": "2026-03-01"},
     "The period ends before it starts"),
    ({}, "There is no such chart."),
])
def test_a_drill_down_to_no_figure_says_why(overseer, counted_cards, test_charts, query, message):
    response = overseer.get(reverse("analytics:cards"), {**PERIOD, **query} if "start" not in query else query)
    assert response.status_code == 404
    html = response.content.decode()
    assert 'id="drill-problem"' in html and message in html


# The template tags other pages (the monthly pack, the yearly statement, the PDFs) draw charts with.

def test_the_tags_link_the_figures_only_when_given_filters(counted_cards, test_charts, qms):
    from django.template import Context, Template

    chart = by_channel(qms, counted_cards.filters)
    template = Template(
        "{% load analytics_tags %}{% chart_svg chart link_filters %}"
        "{% chart_rows chart link_filters as rows %}{% for row in rows %}"
        "<tr>{% for cell in row.cells %}<td>{{ cell.href|default:'-' }}</td>{% endfor %}</tr>{% endfor %}"
    )
    without = template.render(Context({"chart": chart}))
    assert "<svg" in without and "/analytics/cards/" not in without
    linked = template.render(Context({"chart": chart, "link_filters": counted_cards.filters}))
    phone_cards = drill_url("test_by_channel", "phone", "cards", counted_cards.filters).replace("&", "&amp;")
    # The bar, the share's dot, and both cells of the phone's row go to the phone's cards.
    assert linked.count(f'href="{phone_cards}"') == 2
    assert linked.count(f"<td>{phone_cards}</td>") == 2
    plain = Template("{% load analytics_tags %}{% chart_svg chart link_filters %}").render(
        Context({"chart": undrillable(qms, counted_cards.filters), "link_filters": counted_cards.filters}))
    assert "<svg" in plain and "<a " not in plain  # no card list stands behind test_plain
