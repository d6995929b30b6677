from datetime import timedelta
from io import BytesIO

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone
from openpyxl import load_workbook

from amends.accounts.roles import Role
from amends.reports import services
from amends.reports.models import WeeklySummarySent
from amends.reports.services import weekly_summary_send

from .conftest import NOW, WEEK

pytestmark = pytest.mark.urls("amends.reports.tests.urls")


@pytest.fixture
def readers(make_user) -> dict:
    """Who gets the summary (an English head of the QMS, a Russian manager, one with both roles)
    and who does not."""
    return {
        "qms": make_user("head", Role.QMS_HEAD, email="head@example.com", language="en"),
        "manager": make_user("boss", Role.MANAGER, email="boss@example.com", language="ru"),
        "both": make_user("both", Role.QMS_HEAD, Role.MANAGER, email="both@example.com"),
        "no_mail": make_user("nomail", Role.MANAGER),
        "inactive": make_user("gone", Role.QMS_HEAD, email="gone@example.com", is_active=False),
        "operator": make_user("op", Role.OPERATOR, email="op@example.com"),
    }


def mail_to(address: str):
    [message] = [m for m in mail.outbox if m.to == [address]]
    return message


def test_every_active_head_of_the_qms_and_manager_with_an_e_mail_gets_one_mail(readers, week):
    assert weekly_summary_send(now=NOW) == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["boss@example.com", "both@example.com", "head@example.com"]
    assert WeeklySummarySent.objects.filter(week=WEEK, sent_at__isnull=False).count() == 3


def test_the_mail_sums_up_the_week_links_to_the_screen_and_attaches_the_workbook(readers, week):
    weekly_summary_send(now=NOW)
    message = mail_to("head@example.com")
    assert message.subject == "Weekly deadline control 2025-W11"
    for line in (
        "6 complaints received", "  E-mail: 4", "  Delivery: 2", "  Uncategorised: 3",
        "  First response: 1 / 2 / 0 — 33 % on time (and 1 met by registration itself)",
        "  Decision: 1 / 1 / 2 — 50 % on time", "  Measures (resolution): 1 / 1 / 1 — 50 % on time",
        "  Duplicate: 1",
        "Overdue now: 3 cards",
        f"  {week.D.number} — Decision — not assigned — late by 8 d 22 h",
        f"  {week.C.number} — Measure: Вернуть деньги — Responsible — late by 1 d 8 h",
        f"  {week.A.number} — Measures in progress — Responsible — open for 6 d 22 h",
        "On screen: https://complaints.example.com/reports/weekly/?week=2025-W11",
    ):
        assert line in message.body.splitlines(), line
    [(name, content, content_type)] = message.attachments
    assert (name, content_type) == (
        "amends-weekly-2025-W11.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    assert load_workbook(BytesIO(content))["Overdue"]["A2"].value == week.D.number


def test_each_reader_gets_it_in_their_language(readers, week, settings):
    settings.LANGUAGE_CODE = "hy"
    weekly_summary_send(now=NOW)
    english, russian, default = (mail_to(f"{name}@example.com") for name in ("head", "boss", "both"))
    assert "  E-mail: 4" in english.body and "  Delivery: 2" in english.body
    assert "  Эл. почта: 4" in russian.body and "  Доставка: 2" in russian.body
    assert "  Էլ. փոստ: 4" in default.body
    workbook = load_workbook(BytesIO(russian.attachments[0][1]))
    assert workbook.worksheets[0]["A3"].value == "Эл. почта"


def test_a_second_run_the_same_week_sends_nothing_and_the_next_week_sends_again(readers, week, frozen):
    assert weekly_summary_send(now=NOW) == 3
    assert weekly_summary_send(now=NOW + timedelta(hours=3)) == 0
    assert len(mail.outbox) == 3
    frozen(NOW + timedelta(days=7))
    assert weekly_summary_send() == 3
    assert all("2025-W12" in sent.subject for sent in mail.outbox[3:]) and len(mail.outbox) == 6


def test_a_refused_mail_is_logged_and_retried_by_the_next_run(readers, week, monkeypatch, caplog):
    send_messages = EmailBackend.send_messages

    def refuse_the_manager(backend, messages):
        if messages[0].to == ["boss@example.com"]:
            raise ConnectionRefusedError("SMTP is down")
        return send_messages(backend, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_the_manager)
    assert weekly_summary_send(now=NOW) == 2
    assert "boss@example.com" in caplog.text and "SMTP is down" in caplog.text
    assert not WeeklySummarySent.objects.filter(user=readers["manager"]).exists()

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    assert weekly_summary_send(now=NOW + timedelta(minutes=10)) == 1
    assert mail.outbox[-1].to == ["boss@example.com"]


def test_a_summary_that_cannot_be_prepared_is_logged_not_raised(readers, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "weekly_summary", broken)
    assert weekly_summary_send(now=NOW) == 0
    assert "database gone" in caplog.text
    assert mail.outbox == []


def test_a_claim_being_sent_is_left_alone_and_a_stale_one_is_taken_over(readers, week):
    """Another worker claimed the head of the QMS a minute ago: it is sending. A worker that died
    after claiming the manager an hour ago left a claim the next run takes over."""
    WeeklySummarySent.objects.create(week=WEEK, user=readers["qms"], claimed_at=timezone.now() - timedelta(minutes=1))
    WeeklySummarySent.objects.create(week=WEEK, user=readers["manager"], claimed_at=timezone.now() - timedelta(hours=1))
    assert weekly_summary_send(now=NOW) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["boss@example.com", "both@example.com"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_mail_once(reference_data_restored, readers, at_once):
    sent = at_once(lambda: weekly_summary_send(now=NOW), 2)
    assert sum(sent) == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["boss@example.com", "both@example.com", "head@example.com"]
