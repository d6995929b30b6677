"""The register export: its rows and values against SQL written here, in CSV and XLSX, in the reader's
language; the pages that ask for it, show its progress and serve it to its owner only."""

import csv
import io
import os
from datetime import UTC, date, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from amends.accounts.models import Department
from amends.accounts.roles import Role
from amends.analytics import exports
from amends.analytics.charts import CHARTS, ChartData, ChartSpec
from amends.analytics.export_jobs import register_exports_purge
from amends.analytics.exports import COLUMNS, write_register
from amends.analytics.models import RegisterExport
from amends.analytics.selectors import counted_complaints
from amends.complaints.choices import Channel, Importance, Justification, Loyalty, RequestType, State
from amends.complaints.models import Complaint, Measure
from amends.complaints.selectors import ComplaintFilter, complaint_list
from amends.customers.models import Contact, Organisation, Product

# Marked, so that pytest-django runs these before the transactional tests that empty the role groups.
pytestmark = pytest.mark.django_db

ZONE = timezone.get_default_timezone()
START = datetime(2026, 1, 1, 6, 30, tzinfo=UTC)
CHANNELS = [Channel.EMAIL, Channel.PHONE, Channel.WEB_FORM]
INJECTION = "=cmd|' /C calc'!A0"
TRICKY = 'Строка 1\nԱռաքումը ուշացավ; "кавычки", запятая'

SQL_CARDS = """
    SELECT c.number, c.received_at, c.state, c.channel, c.wording, c.satisfaction, ct.full_name, ct.phone,
           ct.email, o.name, d.name, c.time_spent_minutes, c.closed_at, dup.number, c.request_type
    FROM complaints_complaint c
    LEFT JOIN customers_contact ct ON ct.id = c.contact_id
    LEFT JOIN customers_organisation o ON o.id = c.organisation_id
    LEFT JOIN accounts_department d ON d.id = c.department_concerned_id
    LEFT JOIN complaints_complaint dup ON dup.id = c.duplicate_of_id
    WHERE c.state NOT IN (%s, %s) {where}
    ORDER BY {order}
"""


def sql_cards(where: str = "", params: tuple = (), order: str = "c.received_at DESC, c.id DESC") -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(SQL_CARDS.format(where=where, order=order), (State.DUPLICATE, State.WITHDRAWN, *params))
        return cursor.fetchall()


def sql_measures() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.number, COUNT(*) FROM complaints_measure m "
                       "JOIN complaints_complaint c ON c.id = m.complaint_id GROUP BY c.number")
        return dict(cursor.fetchall())


def aware(value) -> datetime | None:
    """A timestamp as SQL returned it: aware on PostgreSQL, ISO text in UTC on SQLite."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def english(moment: datetime) -> str:
    local = moment.astimezone(ZONE)
    return f"{local.day} {local:%b %Y %H:%M}"


def russian(moment: datetime) -> str:
    return f"{moment.astimezone(ZONE):%d.%m.%Y %H:%M}"


@pytest.fixture
def cards(make_user, qms):
    """Thirty cards: three channels, two departments, duplicates, withdrawn cards and objections,
    contacts with phones, organisations, measures, and wordings a spreadsheet could misread."""
    responsible = make_user("resp", Role.RESPONSIBLE, last_name="Петрова")
    sales, delivery = Department.objects.create(name="Продажи"), Department.objects.create(name="Доставка")
    product = Product.objects.create(name="Диван", name_en="Sofa")
    organisation = Organisation.objects.create(name="ООО «Ромашка»")
    made = []
    for i in range(30):
        state = State.CLOSED if i % 5 == 0 else State.ASSIGNED
        if i % 10 == 3:
            state = State.DUPLICATE
        elif i % 10 == 7:
            state = State.WITHDRAWN
        contact = Contact.objects.create(
            full_name=f"Клиент {i}", phone=f"+7 999 000-00-{i:02d}", email=f"c{i}@example.ru",
        ) if i % 2 == 0 else None
        wording = {2: INJECTION, 4: "Звонок\x07 без ответа", 6: TRICKY}.get(i, f"Жалоба номер {i}")
        made.append(Complaint.objects.create(
            number=f"2026-{i + 1:06d}", received_at=START + timedelta(days=3 * i, hours=i), channel=CHANNELS[i % 3],
            state=state, request_type=RequestType.OBJECTION if i % 6 == 5 else RequestType.COMPLAINT,
            wording=wording, contact=contact, organisation=organisation if i % 3 == 0 else None,
            product=product if i % 4 == 0 else None, department_concerned=sales if i % 2 else delivery,
            responsible=responsible, importance=Importance.HIGH if i % 3 else Importance.LOW,
            justification=Justification.JUSTIFIED if i % 2 else "", loyalty=Loyalty.STAYS if i % 4 == 1 else "",
            satisfaction=(i % 10) + 1 if i % 4 else None, time_spent_minutes=i * 5 if i % 3 == 1 else None,
            closed_at=START + timedelta(days=3 * i + 2) if state == State.CLOSED else None,
            duplicate_of=made[0] if state == State.DUPLICATE else None,
        ))
    for card in made[1::5]:
        Measure.objects.create(complaint=card, description="Заменить курьера", executor=responsible,
                               due_date=date(2026, 12, 1))
        Measure.objects.create(complaint=card, description="Обучить склад", executor=responsible,
                               due_date=date(2026, 12, 15), done_at=START + timedelta(days=200))
    return made


def csv_rows(data: bytes, delimiter: str) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # the byte order mark Excel reads UTF-8 by
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def export(queryset, fmt: str, language: str, progress=None) -> tuple[int, bytes]:
    buffer = io.BytesIO()
    rows = write_register(queryset, buffer, fmt, language=language, progress=progress)
    return rows, buffer.getvalue()


def header_index(header: list[str], name: str) -> int:
    return header.index(name)


def test_the_lists_csv_holds_every_card_the_list_shows_with_its_values(cards, qms):
    rows, data = export(complaint_list(qms, ComplaintFilter(set_aside=False)), "csv", "en")
    header, *lines = csv_rows(data, ",")
    expected = sql_cards()
    assert rows == len(lines) == len(expected) == 24  # thirty cards less three duplicates and three withdrawn
    assert len(header) == len(COLUMNS)
    column = {name: header.index(name) for name in header}
    measures = sql_measures()
    for line, (number, received, state, channel, wording, satisfaction, name, phone, email, organisation,
               department, minutes, closed, duplicate_of, request_type) in zip(lines, expected, strict=True):
        assert line[column["Card No."]] == number
        assert line[column["Received at"]] == english(aware(received))
        assert line[column["State"]] == {"closed": "Closed", "assigned": "Assigned"}[state]
        assert line[column["Channel"]] == {"email": "E-mail", "phone": "Phone", "web_form": "Web form"}[channel]
        assert line[column["Request type"]] == {"complaint": "Complaint", "objection": "Objection"}[request_type]
        rated = line[column["Satisfaction with the resolution (1-10)"]]
        assert rated == ("" if satisfaction is None else str(satisfaction))
        assert line[column["Contact person"]] == (name or "")
        assert line[column["Phone"]] == (phone or "")  # a phone number keeps its "+"
        assert line[column["E-mail"]] == (email or "")
        assert line[column["Organisation"]] == (organisation or "")
        assert line[column["Department concerned"]] == department
        assert line[column["Time spent, minutes"]] == ("" if minutes is None else str(minutes))
        assert line[column["Closed at"]] == ("" if closed is None else english(aware(closed)))
        assert line[column["Duplicate of"]] == (duplicate_of or "")
        assert len(line[column["Measures"]].splitlines()) == measures.get(number, 0)
        if wording == INJECTION:  # never run as a formula by a spreadsheet
            assert line[column["Customer's wording"]] == "'" + INJECTION
        else:
            assert line[column["Customer's wording"]] == wording  # new lines, quotes and separators survive


def test_the_csv_speaks_the_readers_language_and_separates_by_semicolon_where_a_comma_is_decimal(cards, qms):
    rows, data = export(complaint_list(qms, ComplaintFilter(set_aside=False, sort="number")), "csv", "ru")
    header, *lines = csv_rows(data, ";")
    expected = sql_cards(order="c.number")
    assert rows == len(lines) == len(expected)
    assert header[:4] == ["№ карточки", "Дата и время поступления", "Статус", "Канал"]
    assert [line[0] for line in lines] == [row[0] for row in expected]
    assert [line[1] for line in lines] == [russian(aware(row[1])) for row in expected]
    done = next(line for line in lines if line[0] == "2026-000002")[header.index("Мероприятия")]
    assert done.splitlines() == [
        "Заменить курьера · Resp Петрова · 01.12.2026",
        f"Обучить склад · Resp Петрова · 15.12.2026 · дата выполнения: {russian(START + timedelta(days=200))}",
    ]


def test_the_xlsx_has_real_dates_and_numbers_a_filtered_header_and_card_links(cards, qms):
    rows, data = export(complaint_list(qms, ComplaintFilter(set_aside=False)), "xlsx", "en")
    sheet = load_workbook(io.BytesIO(data)).active
    expected = sql_cards()
    assert rows == sheet.max_row - 1 == len(expected)
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Card No.", "Received at", "State"] and all(cell.font.bold for cell in sheet[1])
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(COLUMNS)).column_letter}{rows + 1}"
    assert sheet.freeze_panes == "A2"
    column = {name: index + 1 for index, name in enumerate(header)}
    base = settings.AMENDS_BASE_URL.rstrip("/")
    for row, (number, received, _state, _channel, wording, satisfaction, *_rest) in enumerate(expected, start=2):
        link = sheet.cell(row, 1).value
        assert link == f'=HYPERLINK("{base}/complaints/{number}/","{number}")'
        moment = sheet.cell(row, column["Received at"])
        assert moment.value == aware(received).astimezone(ZONE).replace(tzinfo=None, microsecond=0)
        assert moment.number_format == "d mmm yyyy hh:mm"
        assert sheet.cell(row, column["Satisfaction with the resolution (1-10)"]).value == satisfaction
        text = sheet.cell(row, column["Customer's wording"])
        assert text.data_type == "s"  # the injected formula stays text
        assert text.value == wording.replace("\x07", "")  # a control character Excel refuses is dropped


def test_cards_beyond_a_sheets_rows_go_on_to_the_next_sheet(cards, qms, monkeypatch):
    monkeypatch.setattr(exports, "SHEET_ROWS", 10)
    rows, data = export(complaint_list(qms, ComplaintFilter(set_aside=False, sort="number")), "xlsx", "en")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Complaints", "Complaints (2)", "Complaints (3)"]
    assert [sheet.max_row for sheet in book] == [11, 11, 5] and rows == 24
    assert all(sheet["A1"].value == "Card No." and sheet.auto_filter.ref.endswith(str(sheet.max_row)) for sheet in book)
    numbers = [sheet.cell(row, 1).value.rsplit('"', 2)[-2] for sheet in book for row in range(2, sheet.max_row + 1)]
    assert numbers == [row[0] for row in sql_cards(order="c.number")]


def test_progress_is_reported_as_rows_are_written(cards, qms, monkeypatch):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 10)
    reported: list[int] = []
    rows, _data = export(complaint_list(qms, ComplaintFilter(set_aside=False)), "csv", "en", reported.append)
    assert reported == [10, 20, rows] and rows == 24


def test_a_filter_matching_nothing_gives_the_header_alone(cards, qms):
    rows, data = export(complaint_list(qms, ComplaintFilter(q="nothing like this")), "xlsx", "en")
    sheet = load_workbook(io.BytesIO(data)).active
    assert rows == 0 and sheet.max_row == 1


def test_the_page_of_an_export_that_found_nothing_says_so(cards, qms):
    client = login(qms)
    asked = client.post(reverse("analytics:export_start"),
                        {"source": "list", "query": "q=nothing+like+this", "format": "csv"})
    page = client.get(asked.url).content.decode()
    assert "No cards match these filters: the file holds the header row only." in page


def test_an_unknown_format_is_refused(cards, qms):
    with pytest.raises(ValueError, match="Unknown export format"):
        export(Complaint.objects.all(), "pdf", "en")


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_list_offers_the_export_of_its_filters(cards, qms):
    page = login(qms).get(reverse("complaints:list"), {"channel": "email", "sort": "number"})
    html = page.content.decode()
    assert f'action="{reverse("analytics:export_start")}"' in html
    assert 'name="query" value="channel=email&amp;sort=number"' in html


def test_an_export_asked_on_the_list_is_written_and_downloaded_by_its_owner_only(cards, qms, manager):
    client = login(qms)
    asked = client.post(reverse("analytics:export_start"),
                        {"source": "list", "query": "channel=email&sort=number", "format": "csv"})
    record = RegisterExport.objects.get()
    assert asked.url == reverse("analytics:export", args=[record.pk])
    # The test settings' queue runs the task at once; the worker does it in production.
    assert (record.state, record.rows_total, record.language) == ("done", record.rows_done, "en")
    page = client.get(asked.url)
    assert f"Ready: {record.rows_done} cards." in page.content.decode()
    download = client.get(reverse("analytics:export_download", args=[record.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    _header, *lines = csv_rows(b"".join(download.streaming_content), ",")
    expected = sql_cards("AND c.channel = %s", (Channel.EMAIL,), order="c.number")
    assert [line[0] for line in lines] == [row[0] for row in expected] and len(expected) == record.rows_done == 8

    other = login(manager)
    assert other.get(reverse("analytics:export_download", args=[record.pk])).status_code == 404
    assert other.get(reverse("analytics:export", args=[record.pk])).status_code == 404
    assert "2026" not in other.get(reverse("analytics:exports")).content.decode()
    mine = client.get(reverse("analytics:exports")).content.decode()
    assert reverse("analytics:export_download", args=[record.pk]) in mine


def test_the_progress_part_polls_until_done(cards, qms):
    record = RegisterExport.objects.create(user=qms, source="list", format="csv", language="en",
                                           state=RegisterExport.State.RUNNING, rows_total=400, rows_done=100)
    part = login(qms).get(reverse("analytics:export", args=[record.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger=\"every 2s\"" in part and "100 of 400 cards written" in part and 'value="25"' in part
    record.state = RegisterExport.State.DONE
    record.save()
    part = login(qms).get(reverse("analytics:export", args=[record.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in part


@pytest.fixture
def by_channel_chart():
    """A chart of this test's own: counted cards by channel, each bar drilling to its cards."""

    def drill(user, filters, point, series):
        return counted_complaints(user, filters).filter(channel=point)

    def compute(user, filters):
        return ChartData("test_by_channel", "By channel", "bars", [], [])

    CHARTS["test_by_channel"] = ChartSpec("test_by_channel", "By channel", compute, drill)
    yield
    del CHARTS["test_by_channel"]


def test_the_cards_behind_a_figure_are_exported_as_the_chart_counted_them(cards, qms, by_channel_chart):
    # Objections, duplicates, withdrawn cards and the cards of March on are not counted.
    query = "chart=test_by_channel&point=web_form&series=cards&start=2026-01-01&end=2026-02-28"
    client = login(qms)
    client.post(reverse("analytics:export_start"), {"source": "drill", "query": query, "format": "xlsx"})
    record = RegisterExport.objects.get()
    sheet = load_workbook(record.file.path).active
    numbers = [sheet.cell(row, 1).value.rsplit('"', 2)[-2] for row in range(2, sheet.max_row + 1)]
    start, end = datetime(2026, 1, 1, tzinfo=ZONE), datetime(2026, 3, 1, tzinfo=ZONE)
    counted = sql_cards("AND c.channel = %s AND c.request_type IN (%s, %s) "
                        "AND c.received_at >= %s AND c.received_at < %s",
                        (Channel.WEB_FORM, RequestType.COMPLAINT, RequestType.CLAIM, start, end))
    assert numbers == [row[0] for row in counted] and record.rows_done == len(counted) == 3


def test_a_drill_down_export_is_for_those_who_see_the_analysis(cards, make_user, by_channel_chart):
    operator = make_user("op", Role.OPERATOR)
    answer = login(operator).post(reverse("analytics:export_start"), {
        "source": "drill", "query": "chart=test_by_channel&point=email", "format": "csv",
    })
    assert answer.status_code == 403 and not RegisterExport.objects.exists()


@pytest.mark.parametrize(("source", "query", "fmt", "message"), [
    ("drill", "chart=nothing&point=email", "csv", "No chart of that name lists its cards."),
    ("drill", "chart=test_by_channel&start=2026-05-01&end=2026-04-01", "csv", "The period ends before it starts"),
    ("list", "", "pdf", "Choose CSV or XLSX."),
    ("elsewhere", "", "csv", "Unknown export source."),
])
def test_an_export_that_cannot_run_is_refused_with_the_reason(
    cards, qms, by_channel_chart, source, query, fmt, message,
):
    answer = login(qms).post(reverse("analytics:export_start"), {
        "source": source, "query": query, "format": fmt, "back": "/complaints/",
    }, follow=True)
    assert message in answer.content.decode() and not RegisterExport.objects.exists()
    assert answer.redirect_chain[-1][0] == "/complaints/"


def test_exports_older_than_a_week_are_deleted_with_their_files(cards, qms):
    client = login(qms)
    client.post(reverse("analytics:export_start"), {"source": "list", "query": "", "format": "csv"})
    old = RegisterExport.objects.get()
    path = old.file.path
    stuck = RegisterExport.objects.create(user=qms, source="list", format="csv", language="en",
                                          state=RegisterExport.State.RUNNING)
    RegisterExport.objects.filter(pk__in=[old.pk, stuck.pk]).update(created_at=timezone.now() - timedelta(days=2))
    fresh = RegisterExport.objects.create(user=qms, source="list", format="csv", language="en")

    assert register_exports_purge() == 0
    stuck.refresh_from_db()
    assert stuck.state == "failed" and "stopped" in stuck.error
    assert register_exports_purge(timezone.now() + timedelta(days=6)) == 2
    assert list(RegisterExport.objects.all()) == [fresh]
    assert not os.path.exists(path)
