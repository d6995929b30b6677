"""Reports by mail through a real SMTP server on the loopback: each subscriber gets each slot once,
in their language, with the workbook and the PDF; a refused mail is retried by the next run."""

import re
from datetime import UTC, date, timedelta
from email import message_from_bytes, policy
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from amends.accounts.roles import Role
from amends.analytics.board_documents import board_report_kind
from amends.analytics.dashboards import DASHBOARDS, Dashboard
from amends.analytics.filters import AnalyticsFilter
from amends.analytics.models.schedules import ReportSubscription, ScheduledReportSent
from amends.analytics.report_kinds import REPORT_KINDS, ReportKind
from amends.analytics.schedules import scheduled_reports_send, slot_start, subscriptions_set
from amends.core.errors import AccessDenied
from amends.intake.tests.test_email_smtp import smtp_server  # noqa: F401 - the loopback SMTP server
from amends.jobs.schedule import PERIODIC

from .test_board_documents import (  # noqa: F401 - shared fixtures
    _no_automatic_duplicate_links,
    board,
    cards,
    counted_rows,
    departments,
    msk,
    register,
    sheet_rows,
)

# Marked, so that pytest-django runs these before the transactional tests that empty the role groups.
pytestmark = pytest.mark.django_db

KIND = "dashboard:overview"
MONDAY = msk(2026, 4, 6, 9)  # the report covers a year back to that day
NAME = "amends-overview-2025-04-01-2026-04-06"
WORKBOOK = f"{NAME}.xlsx"


@pytest.fixture
def kind(board, monkeypatch) -> ReportKind:  # noqa: F811
    report_kind = board_report_kind(board.key)
    monkeypatch.setitem(REPORT_KINDS, KIND, report_kind)
    return report_kind


@pytest.fixture
def subscribers(make_user, kind, settings) -> dict:
    """An English manager and a Russian head of the QMS who chose the test dashboard; who chose it
    and gets nothing: an operator (a former manager), someone inactive, someone without an e-mail."""
    settings.AMENDS_BASE_URL = "https://complaints.example.com"
    people = {
        "reader": make_user("reader", Role.MANAGER, email="reader@example.com", language="en"),
        "chief": make_user("chief", Role.QMS_HEAD, email="chief@example.com", language="ru"),
        "operator": make_user("op", Role.OPERATOR, email="op@example.com"),
        "inactive": make_user("gone", Role.MANAGER, email="gone@example.com", is_active=False),
        "no_mail": make_user("nomail", Role.MANAGER),
    }
    for user in people.values():
        ReportSubscription.objects.create(user=user, kind=KIND)
    ReportSubscription.objects.create(user=people["reader"], kind="dashboard:no-longer-there")
    return people


def received(smtp_server) -> dict:  # noqa: F811
    """The mails the server accepted, by recipient."""
    mails = {}
    for envelope in smtp_server.envelopes:
        (recipient,) = envelope.rcpt_tos
        mails[recipient] = message_from_bytes(envelope.original_content, policy=policy.default)
    return mails


def attachments(mail) -> dict:
    return {part.get_filename(): part for part in mail.iter_attachments()}


def test_a_slot_starts_at_eight_on_monday_the_first_and_16_january_company_time():
    assert slot_start("weekly", msk(2026, 4, 6, 7, 59)) == date(2026, 3, 30)
    assert slot_start("weekly", msk(2026, 4, 6, 8, 0)) == date(2026, 4, 6)
    assert slot_start("weekly", msk(2026, 4, 12, 23, 59)) == date(2026, 4, 6)
    assert slot_start("weekly", msk(2026, 4, 6, 8, 0).astimezone(UTC)) == date(2026, 4, 6)  # 05:00 UTC
    assert slot_start("monthly", msk(2026, 4, 1, 7, 59)) == date(2026, 3, 1)
    assert slot_start("monthly", msk(2026, 4, 1, 8, 0)) == date(2026, 4, 1)
    assert slot_start("monthly", msk(2026, 1, 1, 7, 0)) == date(2025, 12, 1)
    assert slot_start("yearly", msk(2026, 1, 16, 7, 59)) == date(2025, 1, 16)
    assert slot_start("yearly", msk(2026, 1, 16, 8, 0)) == date(2026, 1, 16)
    assert slot_start("yearly", msk(2026, 12, 31, 23, 0)) == date(2026, 1, 16)
    with pytest.raises(ValueError):
        slot_start("daily", MONDAY)


def test_each_subscriber_gets_the_report_in_their_language_with_its_workbook_and_pdf(
    subscribers, cards, smtp_server,  # noqa: F811
):
    assert scheduled_reports_send(MONDAY) == 2
    mails = received(smtp_server)
    assert sorted(mails) == ["chief@example.com", "reader@example.com"]

    english = mails["reader@example.com"]
    assert english["Subject"] == "Report: Test dashboard"
    body = english.get_body(("plain",)).get_content()
    assert "https://complaints.example.com/analytics/subscriptions/" in body
    assert "The figures are attached as an XLSX workbook and a PDF." in body
    files = attachments(english)
    assert sorted(files) == [f"{NAME}.pdf", WORKBOOK]
    assert files[f"{NAME}.pdf"].get_content().startswith(b"%PDF")
    book = load_workbook(BytesIO(files[WORKBOOK].get_content()))
    assert book.worksheets[0].title == "Report"

    # The default period as of the slot: a year back from the first of the month, to the Monday.
    period = AnalyticsFilter.default(date(2026, 4, 6))
    assert (period.start, period.end) == (date(2025, 4, 1), date(2026, 4, 6))
    by_channel: dict[str, int] = {}
    for channel, _received in counted_rows(period):
        by_channel[channel] = by_channel.get(channel, 0) + 1
    assert by_channel == {"email": 8, "phone": 6, "letter": 2}
    assert {row[0]: row[1] for row in sheet_rows(book["Cards by channel"])[1:]} == {
        "E-mail": 8, "Phone": 6, "Letter": 2,
    }

    russian = mails["chief@example.com"]
    assert "Открыть в системе:" in russian.get_body(("plain",)).get_content()
    russian_book = load_workbook(BytesIO(attachments(russian)[WORKBOOK].get_content()))
    assert russian_book.worksheets[0].title == "Отчёт"
    assert "Эл. почта" in [row[0] for row in sheet_rows(russian_book["Cards by channel"])]


def test_a_slot_goes_once_and_the_next_week_goes_again(subscribers, smtp_server):  # noqa: F811
    assert scheduled_reports_send(MONDAY) == 2
    assert scheduled_reports_send(MONDAY + timedelta(hours=1)) == 0
    assert scheduled_reports_send(MONDAY + timedelta(days=6)) == 0
    assert len(smtp_server.envelopes) == 2
    assert set(ScheduledReportSent.objects.values_list("slot", flat=True)) == {date(2026, 4, 6)}
    assert scheduled_reports_send(MONDAY + timedelta(days=7)) == 2
    assert len(smtp_server.envelopes) == 4
    assert ScheduledReportSent.objects.filter(slot=date(2026, 4, 13), sent_at__isnull=False).count() == 2


def test_a_refused_mail_releases_its_claim_and_the_next_run_sends_it(subscribers, smtp_server, caplog):  # noqa: F811
    smtp_server.refused = {"chief@example.com"}
    assert scheduled_reports_send(MONDAY) == 1
    assert "chief@example.com" in caplog.text
    assert not ScheduledReportSent.objects.filter(subscription__user=subscribers["chief"]).exists()

    smtp_server.refused = set()
    assert scheduled_reports_send(MONDAY + timedelta(hours=1)) == 1
    assert [envelope.rcpt_tos for envelope in smtp_server.envelopes] == [["reader@example.com"], ["chief@example.com"]]
    assert scheduled_reports_send(MONDAY + timedelta(hours=2)) == 0


def test_a_claim_being_sent_is_left_alone_and_a_stale_one_is_taken_over(subscribers, smtp_server):  # noqa: F811
    reader, chief = (ReportSubscription.objects.get(user=subscribers[name], kind=KIND) for name in ("reader", "chief"))
    ScheduledReportSent.objects.create(subscription=reader, slot=date(2026, 4, 6),
                                       claimed_at=timezone.now() - timedelta(minutes=1))
    ScheduledReportSent.objects.create(subscription=chief, slot=date(2026, 4, 6),
                                       claimed_at=timezone.now() - timedelta(hours=1))
    assert scheduled_reports_send(MONDAY) == 1
    assert [envelope.rcpt_tos for envelope in smtp_server.envelopes] == [["chief@example.com"]]


def test_a_report_with_nothing_to_send_yet_is_asked_again_later(subscribers, smtp_server, monkeypatch):  # noqa: F811
    waiting = ReportKind(key="waiting", title="Not ready", cadence="monthly", scheduled=lambda user, now: None,
                         xlsx=bytes, pdf=bytes, filename=str, url=str)
    monkeypatch.setitem(REPORT_KINDS, "waiting", waiting)
    ReportSubscription.objects.filter(kind=KIND).delete()
    ReportSubscription.objects.create(user=subscribers["reader"], kind="waiting")
    assert scheduled_reports_send(MONDAY) == 0
    assert smtp_server.envelopes == [] and not ScheduledReportSent.objects.exists()


def test_the_worker_sends_them_every_hour():
    [job] = [job for job in PERIODIC if job.name == "analytics_reports"]
    assert job.task == "amends.jobs.tasks.analytics_reports_task" and job.every == timedelta(hours=1)


def test_an_overseer_ticks_the_reports_they_want(kind, make_user):
    chief = make_user("chief", Role.QMS_HEAD, email="chief@example.com", language="en")
    client = Client()
    client.force_login(chief)
    url = reverse("analytics:subscriptions")
    page = client.get(url, {"kind": KIND}).content.decode()  # "E-mail me this report"
    assert "Test dashboard — every Monday" in page
    assert re.search(f'<input[^>]*value="{KIND}"[^>]*checked', page)
    assert not ReportSubscription.objects.exists()  # ticked on the page, saved when confirmed

    response = client.post(url, {"kinds": [KIND, "dashboard:causes"]})
    assert response.status_code == 302
    assert sorted(ReportSubscription.objects.filter(user=chief).values_list("kind", flat=True)) == [
        "dashboard:causes", KIND,
    ]
    client.post(url, {"kinds": ["dashboard:causes"]})
    assert list(ReportSubscription.objects.filter(user=chief).values_list("kind", flat=True)) == ["dashboard:causes"]
    assert client.post(url, {"kinds": ["no-such-report"]}).status_code == 200  # the form says it is no choice
    assert list(ReportSubscription.objects.filter(user=chief).values_list("kind", flat=True)) == ["dashboard:causes"]


def test_only_overseers_choose_reports(kind, operator):
    client = Client()
    client.force_login(operator)
    assert client.get(reverse("analytics:subscriptions")).status_code == 403
    assert client.post(reverse("analytics:subscriptions"), {"kinds": [KIND]}).status_code == 403
    with pytest.raises(AccessDenied):
        subscriptions_set(operator, [KIND])
    assert not ReportSubscription.objects.exists()


def test_a_pdf_that_cannot_be_made_leaves_the_workbook_and_the_mail_says_why(
    subscribers, smtp_server, monkeypatch,  # noqa: F811
):
    monkeypatch.setitem(DASHBOARDS, "overview", Dashboard("overview", "Test 漢字", DASHBOARDS["overview"].charts))
    ReportSubscription.objects.exclude(user=subscribers["reader"]).delete()
    assert scheduled_reports_send(MONDAY) == 1
    mail = received(smtp_server)["reader@example.com"]
    assert sorted(attachments(mail)) == [WORKBOOK]
    body = " ".join(mail.get_body(("plain",)).get_content().split())
    assert "the PDF could not be made: The font has no glyphs for" in body
