from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from amends.notifications import delivery
from amends.notifications.delivery import CLAIM_TIMEOUT, MAX_ATTEMPTS, digest_boundary, notifications_deliver
from amends.notifications.models import EmailMode, EmailStatus, Notification
from amends.notifications.services import notify, preference_set
from amends.notifications.tests import backends

TEMPLATE = "complaints/mail/internal_filed.txt"
select_due = delivery._select_due


def local(hour: int, minute: int = 0, second: int = 0, *, day: int = 2) -> datetime:
    """A time in the company's time zone; 2 March 2026 is a Monday."""
    return timezone.make_aware(datetime(2026, 3, day, hour, minute, second))


@pytest.fixture
def anna(make_user):
    return make_user("anna", email="anna@example.ru", language="en")


def tell(users, complaint, key="k"):
    return notify(users=users, kind="internal_filed", key=key, complaint=complaint, template=TEMPLATE)


def test_an_immediate_user_gets_one_mail_per_notification_once(anna, complaint):
    tell([anna], complaint, "a")
    tell([anna], complaint, "b")
    result = notifications_deliver()
    assert (result.mails, result.notifications, result.failed) == (2, 2, 0)
    assert [m.to for m in mail.outbox] == [["anna@example.ru"]] * 2
    first = mail.outbox[0]
    assert first.subject == f"[#{complaint.number}] Internal complaint {complaint.number} needs a responsible person"
    assert f"https://complaints.example.com/complaints/{complaint.number}/" in first.body
    assert first.extra_headers["Message-ID"].startswith("<notification-")
    assert first.extra_headers["Auto-Submitted"] == "auto-generated"
    assert set(Notification.objects.values_list("email_status", "attempts", "claim_token")) == {("sent", 1, None)}
    assert notifications_deliver().mails == 0 and len(mail.outbox) == 2


def test_users_without_mail_or_who_turned_it_off_have_it_in_the_app_only(make_user, anna, complaint):
    silent = make_user("silent")
    preference_set(user=anna, email=EmailMode.OFF, daily_hour=8)
    gone = make_user("gone", email="gone@example.ru", is_active=False)
    tell([silent, anna, gone], complaint)
    result = notifications_deliver()
    assert (result.mails, result.skipped) == (0, 3) and mail.outbox == []
    assert set(Notification.objects.values_list("email_status", "read_at")) == {("skipped", None)}


def test_digest_boundaries_in_the_company_time_zone():
    now = local(10, 5)
    assert digest_boundary(EmailMode.HOURLY, 0, now) == local(10)
    assert digest_boundary(EmailMode.DAILY, 8, now) == local(8)
    assert digest_boundary(EmailMode.DAILY, 10, now) == local(10)
    assert digest_boundary(EmailMode.DAILY, 11, now) == local(11, day=1)


def test_an_hourly_digest_carries_the_last_hour_in_one_mail(anna, qms, complaint):
    preference_set(user=anna, email=EmailMode.HOURLY, daily_hour=8)
    qms.email = "qms@example.ru"
    qms.save()
    with time_machine.travel(local(10, 5), tick=False):
        tell([anna, qms], complaint, "a")
    with time_machine.travel(local(10, 40), tick=False):
        tell([anna], complaint, "b")
        assert notifications_deliver().mails == 1  # the immediate user's only
        assert [m.to for m in mail.outbox] == [["qms@example.ru"]]
    with time_machine.travel(local(11, 0, 30), tick=False):
        tell([anna], complaint, "c")  # after the hour: the next digest's
        result = notifications_deliver()
    assert (result.mails, result.notifications) == (1, 2)
    digest = mail.outbox[-1]
    assert digest.to == ["anna@example.ru"] and digest.subject == "2 notifications from Amends"
    assert digest.body.count(f"[#{complaint.number}]") == 2
    assert Notification.objects.get(user=anna, key="c").email_status == "pending"
    with time_machine.travel(local(11, 59), tick=False):
        assert notifications_deliver().mails == 0
    with time_machine.travel(local(12, 1), tick=False):
        assert notifications_deliver().notifications == 1
        assert mail.outbox[-1].subject.startswith(f"[#{complaint.number}]")  # one alone is a plain mail


def test_a_daily_digest_goes_at_the_chosen_hour(anna, complaint):
    preference_set(user=anna, email=EmailMode.DAILY, daily_hour=8)
    with time_machine.travel(local(10, 5), tick=False):
        tell([anna], complaint, "a")
        tell([anna], complaint, "b")
    for moment in (local(10, 6), local(23, 59), local(7, 59, day=3)):
        with time_machine.travel(moment, tick=False):
            assert notifications_deliver().mails == 0
    with time_machine.travel(local(8, 0, day=3), tick=False):
        assert notifications_deliver().notifications == 2
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "2 notifications from Amends"


@pytest.mark.parametrize("second_read_before_the_claim", [False, True])
def test_rows_claimed_by_one_worker_are_not_sent_by_another(
    anna, complaint, settings, monkeypatch, second_read_before_the_claim,
):
    settings.EMAIL_BACKEND = "amends.notifications.tests.backends.SecondWorkerBackend"
    backends.SecondWorkerBackend.second_runs.clear()
    tell([anna], complaint, "a")
    tell([anna], complaint, "b")
    if second_read_before_the_claim:
        # The second worker's read saw the rows still free: only the conditional claim stops it.
        first_read = {}

        def stale(now, result):
            first_read or first_read.update(select_due(now, result))
            return dict(first_read)

        monkeypatch.setattr(delivery, "_select_due", stale)
    assert notifications_deliver().mails == 2
    [second] = backends.SecondWorkerBackend.second_runs
    assert second.mails == 0 and second.failed == 0
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_workers_racing_in_threads_send_each_mail_once(make_user, settings, at_once):
    settings.EMAIL_BACKEND = "amends.notifications.tests.backends.SlowBackend"
    users = [make_user(f"user{i}", email=f"user{i}@example.ru") for i in range(30)]
    notify(users=users, kind="report", key="weekly", complaint=None, template=TEMPLATE)
    results = at_once(notifications_deliver, 3)
    assert sum(r.mails for r in results) == 30 and len(results) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}


def test_a_worker_killed_after_claiming_is_retried_after_the_timeout_and_sent_once(anna, complaint, settings):
    with time_machine.travel(local(10, 5), tick=False):
        tell([anna], complaint)
        settings.EMAIL_BACKEND = "amends.notifications.tests.backends.KilledWorkerBackend"
        with pytest.raises(SystemExit):
            notifications_deliver()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(local(10, 5) + CLAIM_TIMEOUT - timedelta(seconds=1), tick=False):
        assert notifications_deliver().mails == 0  # still the dead worker's
    with time_machine.travel(local(10, 5) + CLAIM_TIMEOUT + timedelta(seconds=1), tick=False):
        assert notifications_deliver().mails == 1
        assert notifications_deliver().mails == 0
    assert len(mail.outbox) == 1
    assert Notification.objects.get().attempts == 2


def test_a_refused_mail_is_recorded_retried_later_and_given_up_after_the_cap(anna, complaint, settings):
    settings.EMAIL_BACKEND = "amends.notifications.tests.backends.RefusingBackend"
    with time_machine.travel(local(10, 5), tick=False):
        tell([anna], complaint)
        result = notifications_deliver()
        assert (result.mails, result.failed) == (0, 1)
        row = Notification.objects.get()
        assert (row.email_status, row.attempts, row.claim_token) == ("pending", 1, None)
        assert row.last_error == "ConnectionRefusedError: SMTP server down"
        assert notifications_deliver().failed == 0  # not before the timeout
    moment = local(10, 5)
    for _attempt in range(2, MAX_ATTEMPTS + 1):
        moment += CLAIM_TIMEOUT + timedelta(seconds=1)
        with time_machine.travel(moment, tick=False):
            assert notifications_deliver().failed == 1
    assert Notification.objects.get().email_status == EmailStatus.FAILED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(moment + timedelta(days=1), tick=False):
        assert notifications_deliver().mails == 0
    assert mail.outbox == []


def test_a_mail_that_fails_once_goes_on_the_next_try(anna, complaint, settings):
    settings.EMAIL_BACKEND = "amends.notifications.tests.backends.RefusingBackend"
    with time_machine.travel(local(10, 5), tick=False):
        tell([anna], complaint)
        notifications_deliver()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(local(10, 5) + CLAIM_TIMEOUT + timedelta(seconds=1), tick=False):
        assert notifications_deliver().mails == 1
    row = Notification.objects.get()
    assert (row.email_status, row.last_error, row.attempts) == ("sent", "", 2) and len(mail.outbox) == 1
