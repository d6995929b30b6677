"""The monthly pack's page, its workbook and PDF, the meeting's forms and who may use them, and its
report kind for the schedule."""

from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from amends.accounts.roles import Role
from amends.analytics.models.reviews import ReviewDecision
from amends.analytics.monthly import monthly_pack
from amends.analytics.monthly_documents import monthly_pack_pdf, monthly_pack_xlsx
from amends.analytics.report_kinds import REPORT_KINDS
from amends.complaints.choices import Channel, Justification, State
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_register
from amends.deadlines.models import Clock

MSK = ZoneInfo("Europe/Moscow")
EMPTY = "No complaints match these filters in this period."


@pytest.fixture(autouse=True)
def _no_automatic_duplicate_links(settings):
    settings.AMENDS_DUPLICATE_AUTO_LINK_HOURS = 0


@pytest.fixture
def head(make_user):
    return make_user("head", Role.QMS_HEAD, language="en")


@pytest.fixture
def boss(make_user):
    return make_user("boss", Role.MANAGER, language="en")


@pytest.fixture
def october(operator, contact) -> list[Complaint]:
    """Three counted cards of October 2026, one of them overdue at the month's end, and a duplicate."""
    cards = []
    for day, state, justification in ((3, State.INVESTIGATING, Justification.JUSTIFIED),
                                      (9, State.CLOSED, Justification.UNJUSTIFIED),
                                      (12, State.ASSIGNED, ""), (13, State.DUPLICATE, "")):
        card = complaint_register(actor=operator, channel=Channel.EMAIL, contact=contact, wording=f"Карточка {day}")
        received = datetime(2026, 10, day, 10, tzinfo=MSK)
        Clock.objects.filter(complaint=card).delete()
        Complaint.objects.filter(pk=card.pk).update(
            received_at=received, state=state, justification=justification,
            closed_at=received + timedelta(days=2) if state == State.CLOSED else None,
        )
        cards.append(Complaint.objects.get(pk=card.pk))
    due = datetime(2026, 10, 4, 10, tzinfo=MSK)
    Clock.objects.create(complaint=cards[0], kind="decision", allowance=timedelta(days=1), basis="calendar",
                         started_at=cards[0].received_at, at_risk_at=due, due_at=due, escalate_at=due)
    return cards


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def url(name: str, month: str = "2026-10") -> str:
    return f"{reverse(name)}?month={month}"


@pytest.mark.django_db
def test_the_page_shows_the_figures_and_links_the_overdue_card(client, boss, october):
    client.force_login(boss)
    page = client.get(url("analytics:monthly")).content.decode()
    assert "Monthly review pack" in page and "2026-10" in page and "2026-09" in page and "2025-10" in page
    assert reverse("complaints:detail", args=[october[0].number]) in page
    assert october[3].number not in page  # a duplicate is never counted nor listed
    assert "Record a decision" not in page  # a manager reads; the head of the QMS records


@pytest.mark.django_db
def test_only_overseers_see_the_pack(client, make_user, october):
    for role in (Role.OPERATOR, Role.RESPONSIBLE, Role.EXECUTOR):
        client.force_login(make_user(f"as_{role}", role))
        for name in ("analytics:monthly", "analytics:monthly_xlsx", "analytics:monthly_pdf"):
            assert client.get(url(name)).status_code == 403, (role, name)
    client.logout()
    assert client.get(url("analytics:monthly")).status_code == 302  # to the login page


@pytest.mark.django_db
def test_bad_and_empty_months_say_so(client, boss, october):
    client.force_login(boss)
    for text in ("2026-13", "november", "2026-1"):
        response = client.get(url("analytics:monthly", text))
        assert response.status_code == 200 and "No such month: write it as 2026-11." in response.content.decode()
    future = client.get(url("analytics:monthly", "2999-01")).content.decode()
    assert "This month has not begun yet." in future and "figure-received" not in future
    assert client.get(url("analytics:monthly_pdf", "2999-01")).status_code == 302
    empty = client.get(url("analytics:monthly", "2019-02")).content.decode()
    assert EMPTY in empty and "figure-received" not in empty
    assert client.get(url("analytics:monthly_xlsx", "nonsense")).status_code == 302  # to the page that says why
    assert client.get(reverse("analytics:monthly")).status_code == 200  # the last whole month by default


@pytest.mark.django_db
def test_the_workbook_has_real_numbers_dates_filters_and_card_links(head, october, settings, english):
    settings.AMENDS_BASE_URL = "https://amends.example"
    pack = monthly_pack(head, date(2026, 10, 1))
    book = load_workbook(BytesIO(monthly_pack_xlsx(pack)))
    assert book.sheetnames[0] == "Period"
    period = book["Period"]
    assert period["B2"].value == "2026-10" and period["B3"].value == datetime(2026, 10, 1)
    assert period["B4"].value == datetime(2026, 10, 31)
    figures = book["Figures"]
    assert [cell.value for cell in figures[1]] == ["Figure", "2026-10", "2026-09", "2025-10"]
    values = {row[0].value: [cell.value for cell in row[1:]] for row in figures.iter_rows(min_row=2)}
    assert values["Received"] == [3, 0, 0] and values["Unjustified"] == [1, 0, 0]
    assert values["Overdue at the month's end"] == [1, 0, 0]
    assert values["Deadlines met on time, %"] == [0.0, None, None]  # one clock, late
    for sheet in book.worksheets:
        assert sheet.auto_filter.ref, sheet.title
    overdue = book["Overdue at the month's end"]
    assert overdue["A2"].value == october[0].number
    assert overdue["A2"].hyperlink.target == f"https://amends.example/complaints/{october[0].number}/"
    assert isinstance(overdue["B2"].value, datetime)

    empty = load_workbook(BytesIO(monthly_pack_xlsx(monthly_pack(head, date(2019, 2, 1)))))
    assert [row[1].value for row in empty["Period"].iter_rows(min_row=2)][-1] == EMPTY
    assert empty["Overdue at the month's end"].max_row == 1  # the header alone


@pytest.mark.django_db
def test_the_pdf_and_the_downloads(client, boss, october):
    pdf = monthly_pack_pdf(monthly_pack(boss, date(2026, 10, 1)))
    assert pdf.startswith(b"%PDF")
    client.force_login(boss)
    response = client.get(url("analytics:monthly_xlsx"))
    assert response["Content-Disposition"] == 'attachment; filename="amends-monthly-2026-10.xlsx"'
    response = client.get(url("analytics:monthly_pdf", "2019-02"))  # an empty month is a PDF that says so
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_the_head_of_the_qms_records_the_meeting_and_its_decisions(client, head, boss, responsible, october):
    client.force_login(head)
    page = client.get(url("analytics:monthly")).content.decode()
    assert "Record a decision" in page
    response = client.post(reverse("analytics:monthly_review"), {
        "month": "2026-10", "held_on": "2026-11-04", "attendees": "QMS, sales, logistics", "notes": "",
    })
    assert response.status_code == 302
    response = client.post(reverse("analytics:monthly_decision_add"), {
        "month": "2026-10", "text": "Call the courier service", "owner": responsible.pk, "due_date": "2026-11-20",
    })
    assert response.status_code == 302 and response["Location"].endswith("?month=2026-10#decisions")
    decision = ReviewDecision.objects.get()
    assert (decision.review.month, decision.owner, decision.created_by) == (date(2026, 10, 1), responsible, head)
    assert decision.review.attendees == "QMS, sales, logistics"

    invalid = client.post(reverse("analytics:monthly_decision_add"), {"month": "2026-10", "text": "", "owner": ""})
    assert invalid.status_code == 400 and "This field is required." in invalid.content.decode()

    # The next month's meeting follows it up.
    november = client.get(url("analytics:monthly", "2026-11")).content.decode()
    assert "Call the courier service" in november and f"decision-{decision.pk}" in november
    response = client.post(reverse("analytics:monthly_decision_update", args=[decision.pk]), {
        "month": "2026-11", f"d{decision.pk}-follow_up": "Called; new contract", f"d{decision.pk}-done": "on",
        f"d{decision.pk}-due_date": "2026-11-20",
    })
    assert response["Location"].endswith(f"?month=2026-11#decision-{decision.pk}")
    decision.refresh_from_db()
    assert decision.done_at is not None and decision.follow_up == "Called; new contract"

    client.force_login(boss)  # a manager reads the decisions but does not write them
    assert client.post(reverse("analytics:monthly_decision_add"), {
        "month": "2026-10", "text": "x", "owner": responsible.pk, "due_date": "2026-11-20",
    }).status_code == 403
    assert client.post(reverse("analytics:monthly_decision_update", args=[decision.pk]), {}).status_code == 403


@pytest.mark.django_db
def test_the_report_kind_sends_the_last_whole_month(head, operator, october):
    kind = REPORT_KINDS["monthly"]
    assert kind.cadence == "monthly"
    pack = kind.scheduled(head, datetime(2026, 11, 1, 8, tzinfo=MSK))
    assert pack.month == date(2026, 10, 1)
    assert {row.key: row.current for row in pack.figures}["received"] == 3
    assert kind.filename(pack) == "amends-monthly-2026-10"
    assert kind.url(pack).endswith("/analytics/monthly/?month=2026-10")
    assert kind.xlsx(pack).startswith(b"PK")
    assert kind.scheduled(operator, datetime(2026, 11, 1, 8, tzinfo=MSK)) is None  # no longer an overseer
