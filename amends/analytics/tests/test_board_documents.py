"""A dashboard as a workbook and a PDF: the workbook's cells are the ChartData's figures, the figures
downloaded are those independent SQL counts, and an empty period or a wrong filter is said, not drawn."""

from collections import Counter
from datetime import date, datetime
from io import BytesIO
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from amends.accounts.models import Department
from amends.accounts.roles import Role
from amends.analytics.board_documents import board_html, board_pdf, board_xlsx, point_heading, point_start
from amends.analytics.charts import CHARTS, ChartData, ChartSpec, Point, Series
from amends.analytics.dashboards import DASHBOARDS, Dashboard, dashboard_charts
from amends.analytics.filters import AnalyticsFilter
from amends.analytics.links import drill_url
from amends.analytics.selectors import counted_complaints
from amends.complaints.choices import COUNTED_REQUEST_TYPES, Channel, RequestType, State
from amends.complaints.models import Complaint
from amends.complaints.tests.conftest import _no_automatic_duplicate_links, register  # noqa: F401 - shared fixtures

# Marked, so that pytest-django runs these before the transactional tests that empty the role groups.
pytestmark = pytest.mark.django_db

MSK = ZoneInfo("Europe/Moscow")
QUARTER = AnalyticsFilter(start=date(2026, 1, 1), end=date(2026, 3, 31))
QUARTER_QUERY = {"start": "2026-01-01", "end": "2026-03-31"}
MONTHS = ("2026-01", "2026-02", "2026-03")


def month_key(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m}"


def month_bounds(key: str) -> tuple[datetime, datetime]:
    year, month = int(key[:4]), int(key[5:])
    following = date(year + month // 12, month % 12 + 1, 1)
    zone = timezone.get_default_timezone()
    return datetime(year, month, 1, tzinfo=zone), datetime.combine(following, datetime.min.time(), tzinfo=zone)


def months_of(filters: AnalyticsFilter) -> list[str]:
    keys, day = [], filters.start.replace(day=1)
    while day <= filters.end:
        keys.append(f"{day:%Y-%m}")
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return keys


def by_month(user, filters: AnalyticsFilter) -> ChartData:
    """A test chart over months: the cards, and each month's share of them (not drillable)."""
    counts = Counter(month_key(moment) for moment in
                     counted_complaints(user, filters).values_list("received_at", flat=True))
    total = sum(counts.values())
    return ChartData(
        key="docs_by_month", title="Cards by month", kind="bars",
        series=[Series("cards", "Cards"), Series("share", "Share", unit="%", drillable=False)],
        points=[Point(key, key, {"cards": counts[key], "share": round(100 * counts[key] / total, 1) if total else None})
                for key in months_of(filters)],
        note="Counted by the month received.",
    )


def by_month_drill(user, filters, point, series):
    start, end = month_bounds(point)
    return counted_complaints(user, filters).filter(received_at__gte=start, received_at__lt=end)


def by_channel(user, filters: AnalyticsFilter) -> ChartData:
    counts = Counter(counted_complaints(user, filters).values_list("channel", flat=True))
    return ChartData(
        key="docs_by_channel", title="Cards by channel", kind="bars", series=[Series("cards", "Cards")],
        points=[Point(key, Channel(key).label, {"cards": count}) for key, count in counts.most_common()],
    )


def by_channel_drill(user, filters, point, series):
    return counted_complaints(user, filters).filter(channel=point)


TEST_BOARD = Dashboard("overview", "Test dashboard", ("docs_by_month", "docs_by_channel", "not_registered_here"))


@pytest.fixture
def board(monkeypatch) -> Dashboard:
    monkeypatch.setitem(CHARTS, "docs_by_month", ChartSpec("docs_by_month", "Cards by month", by_month, by_month_drill))
    monkeypatch.setitem(CHARTS, "docs_by_channel", ChartSpec("docs_by_channel", "Cards by channel", by_channel,
                                                             by_channel_drill))
    monkeypatch.setitem(DASHBOARDS, TEST_BOARD.key, TEST_BOARD)
    return TEST_BOARD


@pytest.fixture
def departments(db) -> dict[str, Department]:
    return {"sales": Department.objects.create(name="Продажи", name_en="Sales"),
            "plant": Department.objects.create(name="Завод", name_en="Plant")}


def msk(*args) -> datetime:
    return datetime(*args, tzinfo=MSK)


@pytest.fixture
def cards(register, departments) -> list[Complaint]:  # noqa: F811
    """Two dozen cards of the first quarter of 2026 and around it (Moscow time), each kind of card
    the figures must leave out among them: a duplicate, a withdrawn card, an objection, another
    request, a card just before and just after the quarter, and cards of another department."""
    sales, plant = departments["sales"], departments["plant"]
    specs = [
        # received, channel, department, request type, state
        (msk(2026, 1, 1, 0, 30), Channel.EMAIL, sales, RequestType.COMPLAINT, None),
        (msk(2026, 1, 9, 12), Channel.EMAIL, sales, RequestType.COMPLAINT, None),
        (msk(2026, 1, 15, 12), Channel.PHONE, sales, RequestType.CLAIM, None),
        (msk(2026, 1, 20, 12), Channel.PHONE, plant, RequestType.COMPLAINT, None),
        (msk(2026, 1, 31, 23, 50), Channel.LETTER, sales, RequestType.COMPLAINT, None),
        (msk(2026, 2, 2, 9), Channel.EMAIL, sales, RequestType.COMPLAINT, None),
        (msk(2026, 2, 3, 9), Channel.EMAIL, sales, RequestType.COMPLAINT, State.DUPLICATE),
        (msk(2026, 2, 4, 9), Channel.EMAIL, sales, RequestType.COMPLAINT, State.WITHDRAWN),
        (msk(2026, 2, 5, 9), Channel.EMAIL, sales, RequestType.OBJECTION, None),
        (msk(2026, 2, 6, 9), Channel.PHONE, sales, RequestType.OTHER, None),
        (msk(2026, 2, 10, 9), Channel.PHONE, sales, RequestType.COMPLAINT, State.CLOSED),
        (msk(2026, 2, 11, 9), Channel.PHONE, plant, RequestType.CLAIM, None),
        (msk(2026, 2, 12, 9), Channel.EMAIL, None, RequestType.COMPLAINT, None),
        (msk(2026, 3, 1, 0, 10), Channel.EMAIL, sales, RequestType.COMPLAINT, None),
        (msk(2026, 3, 5, 9), Channel.LETTER, sales, RequestType.CLAIM, None),
        (msk(2026, 3, 6, 9), Channel.EMAIL, sales, RequestType.COMPLAINT, None),
        (msk(2026, 3, 7, 9), Channel.EMAIL, plant, RequestType.COMPLAINT, State.WITHDRAWN),
        (msk(2026, 3, 20, 9), Channel.PHONE, sales, RequestType.COMPLAINT, None),
        (msk(2026, 3, 31, 23, 50), Channel.EMAIL, sales, RequestType.COMPLAINT, None),
        (msk(2025, 12, 31, 23, 30), Channel.EMAIL, sales, RequestType.COMPLAINT, None),
        (msk(2026, 4, 1, 0, 10), Channel.PHONE, sales, RequestType.COMPLAINT, None),
        (msk(2025, 2, 10, 9), Channel.LETTER, sales, RequestType.COMPLAINT, None),
    ]
    made = []
    for number, (received, channel, department, request_type, state) in enumerate(specs):
        card = register(channel=channel, received_at=received, department_concerned=department,
                        duplicates="caller", wording=f"Жалоба номер {number}: товар с дефектом.")
        # The type and the final state as the card would have them later in its life.
        Complaint.objects.filter(pk=card.pk).update(request_type=request_type, state=state or card.state)
        made.append(card)
    return made


@pytest.fixture
def reader(make_user):
    return make_user("reader", Role.MANAGER, language="en", email="reader@example.com")


def counted_rows(filters: AnalyticsFilter) -> list[tuple[str, datetime]]:
    """(channel, received_at) of the counted cards, by plain SQL."""
    start, end = (connection.ops.adapt_datetimefield_value(moment) for moment in filters.bounds())
    types = sorted(str(value) for value in COUNTED_REQUEST_TYPES)
    sql = (
        "SELECT channel, received_at FROM complaints_complaint WHERE request_type IN (%s, %s)"
        " AND state NOT IN (%s, %s) AND received_at >= %s AND received_at < %s"
    )
    params: list = [*types, State.DUPLICATE.value, State.WITHDRAWN.value, start, end]
    if filters.department:
        sql += " AND department_concerned_id = %s"
        params.append(filters.department)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [(channel, _aware(received)) for channel, received in rows]


def _aware(value) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=ZoneInfo("UTC"))


def sql_by_channel(filters: AnalyticsFilter) -> dict[str, int]:
    with connection.cursor() as cursor:
        start, end = (connection.ops.adapt_datetimefield_value(moment) for moment in filters.bounds())
        cursor.execute(
            "SELECT channel, COUNT(*) FROM complaints_complaint WHERE request_type IN (%s, %s)"
            " AND state NOT IN (%s, %s) AND received_at >= %s AND received_at < %s"
            " AND department_concerned_id = %s GROUP BY channel",
            [*sorted(str(value) for value in COUNTED_REQUEST_TYPES), State.DUPLICATE.value, State.WITHDRAWN.value,
             start, end, filters.department],
        )
        return dict(cursor.fetchall())


def workbook(content: bytes):
    return load_workbook(BytesIO(content))


def sheet_rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@translation.override("en")
def test_the_workbook_holds_the_period_the_filters_and_each_charts_figures(board, cards, reader, departments, settings):
    settings.AMENDS_BASE_URL = "https://complaints.example.com"
    filters = AnalyticsFilter(start=QUARTER.start, end=QUARTER.end, department=departments["sales"].pk)
    charts = dashboard_charts(reader, board, filters)
    content = board_xlsx(board, charts, filters)
    assert [chart.key for chart in charts] == ["docs_by_month", "docs_by_channel"]  # an unregistered key is skipped
    book = workbook(content)
    first, months, channels = book.worksheets
    assert first.title == "Report"
    rows = {label: value for label, value in sheet_rows(first)[1:]}
    assert sheet_rows(first)[0] == ["Field", "Value"] and first.auto_filter.ref == first.dimensions
    assert rows["Report"] == "Test dashboard"
    assert rows["From"] == datetime(2026, 1, 1) and rows["To (inclusive)"] == datetime(2026, 3, 31)
    assert first["B3"].is_date and first["B4"].is_date
    assert rows["Period"] == "1 Jan 2026 – 31 Mar 2026" and rows["Department"] == "Sales" and "Product" not in rows
    assert rows["Not counted"] == "Duplicates, withdrawn cards, objections and other requests are not counted."
    assert rows["Cards by month"] == "Counted by the month received."

    month_chart, channel_chart = charts
    assert months.title == "Cards by month" and months.auto_filter.ref == months.dimensions
    assert sheet_rows(months) == [
        ["Month", "From", "Cards", "Share, %"],
        *[[point.label, datetime.strptime(point.key, "%Y-%m"), point.values["cards"], point.values["share"]]
          for point in month_chart.points],
    ]
    assert isinstance(months["C2"].value, int) and months["D2"].number_format == "0.0" and months["B2"].is_date
    first_month = month_chart.points[0]
    assert months["C2"].hyperlink.target == "https://complaints.example.com" + drill_url(
        "docs_by_month", first_month.key, "cards", filters)
    assert months["D2"].hyperlink is None  # a share has no cards behind it
    assert sheet_rows(channels) == [
        ["Group", "Cards"], *[[str(point.label), point.values["cards"]] for point in channel_chart.points],
    ]


def test_the_figures_downloaded_are_the_cards_plain_sql_counts(board, cards, reader, departments):
    """Per month and per channel, for the sales department in the first quarter: the duplicate, the
    withdrawn card, the objection, the other request, the cards outside the quarter and those of
    another department or none are not in the workbook."""
    sales = departments["sales"]
    client = Client()
    client.force_login(reader)
    response = client.get(reverse("analytics:board_xlsx", args=[board.key]),
                          {**QUARTER_QUERY, "department": sales.pk})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="amends-overview-2026-01-01-2026-03-31.xlsx"'
    book = workbook(response.content)

    filters = AnalyticsFilter(start=QUARTER.start, end=QUARTER.end, department=sales.pk)
    expected = sql_by_channel(filters)
    assert expected == {"email": 6, "phone": 3, "letter": 2}
    assert {row[0]: row[1] for row in sheet_rows(book["Cards by channel"])[1:]} == {
        str(Channel(key).label): count for key, count in expected.items()
    }
    by_month_sql = Counter(month_key(received) for _channel, received in counted_rows(filters))
    downloaded = {row[0]: row[2] for row in sheet_rows(book["Cards by month"])[1:]}
    assert downloaded == {key: by_month_sql[key] for key in MONTHS}
    assert [by_month_sql[key] for key in MONTHS] == [4, 2, 5]
    # Each count's link lists exactly the cards it counted.
    for point in MONTHS:
        assert by_month_drill(reader, filters, point, "cards").count() == by_month_sql[point]


@translation.override("en")
def test_an_empty_period_says_so_in_the_workbook_and_the_pdf(board, cards, reader):
    empty = AnalyticsFilter(start=date(2024, 5, 1), end=date(2024, 5, 31))
    charts = dashboard_charts(reader, board, empty)
    assert all(chart.empty for chart in charts)
    book = workbook(board_xlsx(board, charts, empty))
    message = "No complaints match these filters in this period."
    assert sheet_rows(book["Cards by month"]) == [["Month", "From", "Cards", "Share, %"], [message, None, None, None]]
    assert sheet_rows(book["Cards by channel"]) == [["Group", "Cards"], [message, None]]
    assert {row[0]: row[1] for row in sheet_rows(book["Report"])}["Cards by channel"] == message
    html = board_html(board, charts, empty)
    assert "<svg" not in html and html.count(message) == 2


def test_a_filter_that_matches_nothing_downloads_an_empty_workbook(board, cards, reader):
    client = Client()
    client.force_login(reader)
    response = client.get(reverse("analytics:board_xlsx", args=[board.key]),
                          {**QUARTER_QUERY, "channel": Channel.FAX})
    assert response.status_code == 200
    assert sheet_rows(workbook(response.content)["Cards by channel"])[1] == [
        "No complaints match these filters in this period.", None]


@translation.override("en")
def test_the_pdf_draws_each_chart_with_its_table(board, cards, reader):
    with timezone.override(MSK):
        charts = dashboard_charts(reader, board, QUARTER)
    html = board_html(board, charts, QUARTER)
    assert html.count("<svg") == 2 and "Cards by channel" in html and "Counted by the month received." in html
    assert "href=" not in html  # a PDF's bars link nowhere
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(board_pdf(board, charts, QUARTER))).pages)
    assert "Test dashboard" in text and "Cards by month" in text and "E-mail" in text
    assert "Duplicates, withdrawn cards, objections and other requests are not counted." in " ".join(text.split())


def test_the_pdf_download_and_who_may_have_it(board, cards, reader, operator):
    client = Client()
    client.force_login(reader)
    response = client.get(reverse("analytics:board_pdf", args=[board.key]), QUARTER_QUERY)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert client.get("/analytics/no-such-board.pdf").status_code == 404
    client.force_login(operator)
    assert client.get(reverse("analytics:board_xlsx", args=[board.key])).status_code == 403
    assert client.get(reverse("analytics:board_pdf", args=[board.key])).status_code == 403


def test_the_workbook_is_in_the_readers_language(board, cards, make_user):
    russian = make_user("chief", Role.QMS_HEAD, language="ru")
    client = Client()
    client.force_login(russian)
    response = client.get(reverse("analytics:board_xlsx", args=[board.key]), QUARTER_QUERY)
    book = workbook(response.content)
    first = book.worksheets[0]
    assert first.title == "Отчёт" and first["A3"].value == "С" and first["A5"].value == "Период"
    assert "Эл. почта" in [row[0] for row in sheet_rows(book["Cards by channel"])]


def test_wrong_filters_lead_back_to_the_page_which_says_what_is_wrong(board, cards, reader):
    client = Client()
    client.force_login(reader)
    backwards = {"start": "2026-03-31", "end": "2026-01-01"}
    for name in ("analytics:board_xlsx", "analytics:board_pdf"):
        response = client.get(reverse(name, args=[board.key]), backwards)
        assert response.status_code == 302
        assert response.url == f"{reverse('analytics:board', args=[board.key])}?start=2026-03-31&end=2026-01-01"
    page = client.get(response.url).content.decode()
    assert "The period ends before it starts" in page and "<svg" not in page


def test_the_dashboard_page_offers_its_workbook_its_pdf_and_its_mail(board, cards, reader):
    client = Client()
    client.force_login(reader)
    page = client.get(reverse("analytics:board", args=[board.key]), QUARTER_QUERY).content.decode()
    assert 'href="/analytics/overview.xlsx?start=2026-01-01&amp;end=2026-03-31"' in page
    assert 'href="/analytics/overview.pdf?start=2026-01-01&amp;end=2026-03-31"' in page
    assert 'href="/analytics/subscriptions/?kind=dashboard:overview"' in page and "E-mail me this report" in page


def test_the_first_column_is_named_after_what_the_points_are():
    def points(*pairs):
        return [Point(key, label, {}) for key, label in pairs]

    with translation.override("en"):
        assert point_heading(points(("2026-03", "Mar 2026"), ("2026-04", "Apr 2026"))) == "Month"
        assert point_heading(points(("2026-W09", "W09"))) == "Week"
        assert point_heading(points(("2025", "2025"), ("2026", "2026"))) == "Year"
        assert point_heading(points(("2025", "Anna Petrova"), ("2031", "Ivan Sidorov"))) == "Group"  # contacts' pks
        assert point_heading(points(("email", "E-mail"))) == "Group"
    assert point_start("2026-03") == date(2026, 3, 1) and point_start("2026-W09") == date(2026, 2, 23)
    assert point_start("2026") is None and point_start("email") is None


def test_a_pdf_the_fonts_cannot_draw_leads_back_to_the_page_with_the_reason(board, cards, reader, monkeypatch):
    monkeypatch.setitem(DASHBOARDS, board.key, Dashboard(board.key, "Test 漢字", board.charts))
    client = Client()
    client.force_login(reader)
    response = client.get(reverse("analytics:board_pdf", args=[board.key]), QUARTER_QUERY, follow=True)
    assert response.redirect_chain[0][0] == f"{reverse('analytics:board', args=[board.key])}?{urlencode(QUARTER_QUERY)}"
    assert "The font has no glyphs for" in response.content.decode()
