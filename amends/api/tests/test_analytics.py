"""The dashboards' figures through the API: the pages' filters, the figures against SQL written here,
the cards behind each figure, bad input, the empty state, who may ask, and the schema.

The charts of the figures modules are tested with their modules; here a chart of the test's own
counts the cards by channel, so that every figure the API answers is checked against plain SQL."""

import json
from datetime import date, datetime, time
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from rest_framework.utils.encoders import JSONEncoder

from amends.accounts.models import Department
from amends.analytics.charts import CHARTS, ChartData, ChartSpec, Point, Series
from amends.analytics.dashboards import DASHBOARDS, Dashboard
from amends.analytics.filters import AnalyticsFilter, AnalyticsFilterForm
from amends.analytics.selectors import counted_complaints
from amends.api.serializers.analytics import AnalyticsFilterSerializer
from amends.complaints.choices import Channel, RequestType, State
from amends.complaints.models import Category, Complaint

CHART = "api_test_by_channel"
BOARD = "api-test"
START, END = date(2026, 1, 1), date(2026, 6, 30)
PERIOD = {"start": START.isoformat(), "end": END.isoformat()}


def by_channel(user, filters: AnalyticsFilter) -> ChartData:
    counts = dict(counted_complaints(user, filters).values_list("channel").annotate(n=Count("pk")).order_by())
    total = sum(counts.values())
    return ChartData(
        key=CHART, title="Cards by channel", kind="bars",
        series=[Series("cards", "Cards"), Series("share", "Share", "%", drillable=False)],
        points=[Point(channel, Channel(channel).label, {"cards": n, "share": round(100 * n / total, 1)})
                for channel, n in sorted(counts.items())],
    )


def by_channel_drill(user, filters: AnalyticsFilter, point: str, series: str):
    return counted_complaints(user, filters).filter(channel=point)


@pytest.fixture(autouse=True)
def test_chart(monkeypatch):
    monkeypatch.setitem(CHARTS, CHART, ChartSpec(CHART, "Cards by channel", by_channel, by_channel_drill))
    monkeypatch.setitem(DASHBOARDS, BOARD, Dashboard(BOARD, "Test board", (CHART,)))


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE))


@pytest.fixture
def world(db):
    """Cards of two departments and two categories (one a subcategory), in the period and out of it,
    with duplicates, withdrawn cards, objections and other requests that no figure counts."""
    sales, service = Department.objects.create(name="Продажи"), Department.objects.create(name="Сервис")
    empty = Department.objects.create(name="Склад")
    parent = Category.objects.create(name="Качество")
    child = Category.objects.create(name="Упаковка", parent=parent)
    other = Category.objects.create(name="Доставка")
    rows = [
        # (received, channel, department, category, state, request type)
        (at(START, 0, 0), Channel.EMAIL, sales, parent, State.REGISTERED, RequestType.COMPLAINT),
        (at(date(2026, 2, 3)), Channel.EMAIL, sales, child, State.CLOSED, RequestType.CLAIM),
        (at(date(2026, 2, 4)), Channel.EMAIL, service, other, State.ANSWERED, RequestType.COMPLAINT),
        (at(date(2026, 3, 5)), Channel.PHONE, sales, None, State.INVESTIGATING, RequestType.COMPLAINT),
        (at(date(2026, 3, 6)), Channel.PHONE, service, child, State.CLOSED, RequestType.COMPLAINT),
        (at(date(2026, 4, 7)), Channel.PHONE, service, other, State.DECIDED, RequestType.COMPLAINT),
        (at(date(2026, 5, 8)), Channel.WEB_FORM, None, parent, State.REGISTERED, RequestType.CLAIM),
        (at(END, 23, 59), Channel.WEB_FORM, sales, child, State.CLOSED, RequestType.COMPLAINT),
        # Not counted: left out by state or request type.
        (at(date(2026, 2, 9)), Channel.EMAIL, sales, parent, State.DUPLICATE, RequestType.COMPLAINT),
        (at(date(2026, 3, 9)), Channel.PHONE, sales, child, State.WITHDRAWN, RequestType.COMPLAINT),
        (at(date(2026, 4, 9)), Channel.PHONE, service, other, State.CLOSED, RequestType.OBJECTION),
        (at(date(2026, 5, 9)), Channel.WEB_FORM, sales, parent, State.REGISTERED, RequestType.OTHER),
        # Other periods, the bounds' neighbours among them.
        (at(date(2025, 12, 31), 23, 59), Channel.EMAIL, sales, parent, State.CLOSED, RequestType.COMPLAINT),
        (at(date(2026, 7, 1), 0, 0), Channel.PHONE, sales, child, State.CLOSED, RequestType.COMPLAINT),
        (at(date(2025, 3, 1)), Channel.WEB_FORM, service, other, State.CLOSED, RequestType.COMPLAINT),
    ]
    for n, (received, channel, department, category, state, request_type) in enumerate(rows, start=1):
        Complaint.objects.create(
            number=f"2026-{n:06d}", received_at=received, channel=channel, department_concerned=department,
            category=category, state=state, request_type=request_type, wording="Проверка аналитики",
        )
    return {"sales": sales, "service": service, "empty": empty, "parent": parent, "child": child}


def sql_by_channel(start: date, end: date, where: str = "", params: tuple = ()) -> dict[str, int]:
    """The counted cards per channel, in plain SQL: complaints and claims, neither duplicates nor
    withdrawn, received from the start's midnight to the midnight after the end (company time)."""
    bounds = [connection.ops.adapt_datetimefield_value(at(day, 0, 0)) for day in (start, date.fromordinal(
        end.toordinal() + 1))]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT channel, COUNT(*) FROM complaints_complaint"
            " WHERE request_type IN ('complaint', 'claim') AND state NOT IN ('duplicate', 'withdrawn')"
            f" AND received_at >= %s AND received_at < %s {where} GROUP BY channel",
            [*bounds, *params],
        )
        return dict(cursor.fetchall())


def chart_counts(body: dict) -> dict[str, int]:
    (chart,) = body["charts"]
    return {point["key"]: point["values"]["cards"] for point in chart["points"]}


def get(api, user, path: str, **query):
    return api(user).get(f"/api/v1/analytics/{path}", query)


def test_a_chart_counts_the_cards_of_the_period_as_sql_does(api, qms, world):
    response = get(api, qms, f"charts/{CHART}/", **PERIOD)
    assert response.status_code == 200
    body = response.json()
    expected = sql_by_channel(START, END)
    assert expected == {"email": 3, "phone": 3, "web_form": 2}  # the fixture's known values
    assert chart_counts(body) == expected
    (chart,) = body["charts"]
    assert chart["key"] == CHART and chart["kind"] == "bars" and chart["empty"] is False and chart["message"] is None
    assert [s["key"] for s in chart["series"]] == ["cards", "share"] and chart["series"][1]["unit"] == "%"
    assert [p["values"]["share"] for p in chart["points"]] == [37.5, 37.5, 25.0]
    assert body["filters"] == {**PERIOD, "department": None, "product": None, "category": None,
                               "channel": None, "responsible": None}
    assert body["counted"] == "Duplicates, withdrawn cards, objections and other requests are not counted."


DEPARTMENT = "AND department_concerned_id = %s"
CATEGORY = "AND category_id IN (SELECT id FROM complaints_category WHERE id = %s OR parent_id = %s)"


@pytest.mark.parametrize(("dimension", "value", "where"), [
    ("department", "sales", DEPARTMENT), ("department", "service", DEPARTMENT),
    ("category", "parent", CATEGORY), ("category", "child", CATEGORY),
])
def test_a_dimension_filters_as_sql_does(api, manager, world, dimension, value, where):
    pk = world[value].pk
    response = get(api, manager, f"charts/{CHART}/", **PERIOD, **{dimension: pk})
    assert response.status_code == 200
    expected = sql_by_channel(START, END, where, (pk,) * where.count("%s"))
    assert chart_counts(response.json()) == expected and expected
    assert response.json()["filters"][dimension] == pk


def test_the_channel_filter_counts_as_sql_does(api, administrator, world):
    response = get(api, administrator, f"charts/{CHART}/", **PERIOD, channel="phone")
    assert chart_counts(response.json()) == sql_by_channel(START, END, "AND channel = %s", ("phone",)) == {"phone": 3}


def test_each_figure_links_to_exactly_the_cards_it_counts(api, qms, world):
    body = get(api, qms, f"charts/{CHART}/", **PERIOD, department=world["sales"].pk).json()
    (chart,) = body["charts"]
    assert chart["points"]
    for point in chart["points"]:
        assert set(point["cards"]) == {"cards"}  # the share has no cards of its own
        link = urlsplit(point["cards"]["cards"])
        assert link.netloc and link.path == "/analytics/cards/"  # absolute, for a client outside
        query = {name: values[0] for name, values in parse_qs(link.query).items()}
        assert (query.pop("chart"), query.pop("point"), query.pop("series")) == (CHART, point["key"], "cards")
        form = AnalyticsFilterForm(data=query)
        assert form.is_valid()
        drilled = CHARTS[CHART].drill(qms, form.to_filter(), point["key"], "cards")
        assert drilled.count() == point["values"]["cards"]
        assert not drilled.exclude(department_concerned=world["sales"]).exists()


def test_the_default_period_is_the_pages_default(api, qms, world):
    body = get(api, qms, f"charts/{CHART}/").json()
    default = AnalyticsFilter.default()
    assert (body["filters"]["start"], body["filters"]["end"]) == (default.start.isoformat(), default.end.isoformat())
    assert chart_counts(body) == sql_by_channel(default.start, default.end)


@pytest.mark.parametrize("query", [
    {"department": "empty"},  # a filter that matches nothing
    {"start": "2024-01-01", "end": "2024-12-31"},  # a year with no data
    {"start": "2026-06-15", "end": "2026-06-15", "channel": "fax"},
])
def test_nothing_to_count_says_so_instead_of_a_chart(api, qms, world, query):
    query = {**PERIOD, **query}
    if query.get("department") == "empty":
        query["department"] = world["empty"].pk
    for path in (f"charts/{CHART}/", f"dashboards/{BOARD}/"):
        response = get(api, qms, path, **query)
        assert response.status_code == 200
        (chart,) = response.json()["charts"]
        assert chart["empty"] is True and chart["points"] == []
        assert chart["message"] == "No complaints match these filters in this period."


INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."


@pytest.mark.parametrize(("query", "field", "message"), [
    ({"start": "2026-05-01", "end": "2026-04-30"}, "non_field_errors",
     "The period ends before it starts: the end must be on or after the start."),
    ({"department": "999999"}, "department", INVALID_CHOICE),
    ({"responsible": "999999"}, "responsible", INVALID_CHOICE),
    # Days no period's bounds can be made of, and a period too long to draw by week.
    ({"end": "9999-12-31"}, "end", "Give a day from 1900-01-01 to 2999-12-31."),
    ({"start": "0001-01-01", "end": "0001-01-02"}, "start", "Give a day from 1900-01-01 to 2999-12-31."),
    ({"start": "1990-01-01"}, "non_field_errors", "A period may be at most 20 years long."),
    ({"start": "2000-01-01", "end": "2026-06-30"}, "non_field_errors", "A period may be at most 20 years long."),
    ({"start": "yesterday"}, "start", None),
    ({"start": ""}, "start", None),
    ({"channel": "pigeon"}, "channel", None),
    ({"category": "0"}, "category", None),
])
def test_bad_filters_are_400_with_the_message(api, qms, world, query, field, message):
    for path in (f"charts/{CHART}/", f"dashboards/{BOARD}/"):
        response = get(api, qms, path, **query)
        assert response.status_code == 400, path
        body = response.json()
        assert body["code"] == "invalid" and field in body["errors"]
        if message:
            assert body["errors"][field] == [message]


def test_a_period_of_twenty_years_is_counted(api, qms, world):
    response = get(api, qms, f"charts/{CHART}/", start="2006-07-01", end="2026-06-30")
    assert response.status_code == 200
    assert chart_counts(response.json()) == sql_by_channel(date(2006, 7, 1), END) == {
        "email": 4, "phone": 3, "web_form": 3}


def test_the_filter_messages_come_in_the_users_language(api, qms, world):
    qms.language = "ru"
    qms.save(update_fields=["language"])
    body = get(api, qms, f"charts/{CHART}/", department="999999").json()
    assert body["errors"]["department"] == [
        "Выберите корректный вариант. Вашего варианта нет среди допустимых значений."]


def test_a_dashboard_gives_its_charts_in_order_with_the_filters(api, qms, world, monkeypatch):
    monkeypatch.setitem(DASHBOARDS, BOARD, Dashboard(BOARD, "Test board", (CHART, CHART)))
    response = get(api, qms, f"dashboards/{BOARD}/", **PERIOD, channel="email")
    assert response.status_code == 200
    body = response.json()
    assert (body["key"], body["title"]) == (BOARD, "Test board")
    assert [chart["key"] for chart in body["charts"]] == [CHART, CHART]
    assert body["filters"]["channel"] == "email"
    assert {point["key"]: point["values"]["cards"] for point in body["charts"][0]["points"]} == sql_by_channel(
        START, END, "AND channel = %s", ("email",))


def test_the_dashboards_list_gives_every_dashboard_with_its_charts(api, manager, db):
    response = get(api, manager, "dashboards/")
    assert response.status_code == 200
    assert response.json() == [
        {"key": board.key, "title": str(board.title), "charts": list(board.charts)} for board in DASHBOARDS.values()
    ]
    assert {"key": BOARD, "title": "Test board", "charts": [CHART]} in response.json()


@pytest.mark.parametrize("path", ["dashboards/nowhere/", "charts/nothing/"])
def test_an_unknown_key_is_404(api, qms, path):
    response = get(api, qms, path)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("path", ["dashboards/", f"dashboards/{BOARD}/", f"charts/{CHART}/"])
def test_only_those_who_oversee_quality_see_the_figures(api, make_user, qms, manager, administrator,
                                                        operator, responsible, executor, path):
    for user in (qms, manager, administrator):
        assert get(api, user, path).status_code == 200
    for user in (operator, responsible, executor, make_user("nobody")):
        response = get(api, user, path)
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert get(api, None, path).status_code == 401


def test_an_unauthorised_user_learns_nothing_of_bad_filters_or_keys(api, operator):
    assert get(api, operator, "charts/nothing/").status_code == 403
    assert get(api, operator, f"charts/{CHART}/", start="bad").status_code == 403


def test_the_query_parameters_are_the_pages_filters():
    assert list(AnalyticsFilterSerializer().fields) == list(AnalyticsFilterForm.base_fields)


def test_the_schema_documents_the_filters_and_the_answers(client, db):
    schema = json.loads(client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en").content)
    listed = schema["paths"]["/api/v1/analytics/dashboards/"]["get"]
    assert listed["operationId"] == "analytics_dashboards" and listed["tags"] == ["analytics"]
    for path, operation_id in [("/api/v1/analytics/dashboards/{key}/", "analytics_dashboard"),
                               ("/api/v1/analytics/charts/{key}/", "analytics_chart")]:
        operation = schema["paths"][path]["get"]
        assert operation["operationId"] == operation_id and operation["tags"] == ["analytics"]
        assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])
        parameters = {p["name"]: p for p in operation["parameters"]}
        assert set(parameters) == {"key", *AnalyticsFilterForm.base_fields}
        assert parameters["start"]["schema"]["format"] == "date"
        assert parameters["department"]["schema"]["minimum"] == 1
        assert "No dashboard or chart" in operation["responses"]["404"]["description"]
    board = schema["paths"]["/api/v1/analytics/dashboards/{key}/"]["get"]
    key = next(p for p in board["parameters"] if p["name"] == "key")
    assert {"overview", "intake", "causes", "outcomes", "timeliness"} <= set(key["schema"]["enum"])


def test_every_dashboard_answers_its_charts_as_computed(api, qms, world):
    """Through the API, each real dashboard's charts are exactly what the charts compute."""
    real = {key: board for key, board in DASHBOARDS.items() if key != BOARD}
    missing = {chart for board in real.values() for chart in board.charts} - set(CHARTS)
    assert not missing, f"dashboards show charts that are not registered: {sorted(missing)}"
    filters = AnalyticsFilter(start=START, end=END, department=world["sales"].pk)
    for key, board in real.items():
        body = get(api, qms, f"dashboards/{key}/", **filters.params()).json()
        computed = [CHARTS[chart].compute(qms, filters).as_json() for chart in board.charts]
        shown = [{name: value for name, value in chart.items() if name not in ("empty", "message")}
                 for chart in body["charts"]]
        for chart in shown:
            for point in chart["points"]:
                point.pop("cards")
        assert shown == json.loads(json.dumps(computed, cls=JSONEncoder)), key  # money as the API writes it
