"""The demo's numbers (demo/analysis.py), loaded as of fixed moments: in January before the statement is
due (the last whole month is last year's December), and on the first night of a month after it (the
meeting then falls in the month it reviews). Each load takes most of a minute, so the 2 January state
(not yet reminded) is left to the statement's own tests (analytics/tests/test_yearly_statements.py).
Each load is rolled back when its tests are done."""

from datetime import date, datetime, time, timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.test import TestCase
from django.utils import timezone, translation

from amends.accounts.models import User
from amends.analytics.dashboards import DASHBOARDS, dashboard_charts
from amends.analytics.filters import AnalyticsFilter
from amends.analytics.models import MonthlyOrders, YearlyStatement
from amends.analytics.models.schedules import ReportSubscription
from amends.analytics.monthly import DONE, OPEN, OVERDUE, monthly_pack
from amends.analytics.yearly import yearly_figures
from amends.demo.load import load_demo
from amends.notifications.models import Notification

pytestmark = pytest.mark.django_db

ZONE = timezone.get_default_timezone()
IN_JANUARY = datetime(2026, 1, 10, 11, 30, tzinfo=ZONE)
FIRST_NIGHT = datetime(2026, 3, 1, 0, 30, tzinfo=ZONE)


@pytest.fixture(scope="module", params=[IN_JANUARY, FIRST_NIGHT],
                ids=["in-january", "first-night-of-march"])
def now(request, django_db_setup, django_db_blocker):
    translation.activate(settings.LANGUAGE_CODE)  # the demo's texts as loaded, whatever language the last test left
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            load_demo(now=request.param)
        yield request.param
        transaction.set_rollback(True)


@pytest.fixture
def qms():
    return User.objects.get(username="qms")


def test_every_chart_of_every_dashboard_draws_every_series(now, qms):
    filters = AnalyticsFilter.default(timezone.localdate(now))
    for dashboard in DASHBOARDS.values():
        charts = dashboard_charts(qms, dashboard, filters)
        assert len(charts) == len(dashboard.charts), dashboard.key
        for chart in charts:
            for series in chart.series:
                values = [point.values.get(series.key) for point in chart.points]
                assert any(values), f"{dashboard.key}: {chart.key}.{series.key} is empty"


def test_order_counts_for_each_whole_month_of_the_history_entered_after_it(now):
    today = timezone.localdate(now)
    months = list(MonthlyOrders.objects.order_by("month"))
    assert 17 <= len(months) <= 19
    assert all(4000 <= row.orders <= 7000 and row.entered_at < now for row in months)
    assert all(row.entered_at.date() > row.month for row in months)
    assert months[-1].month < today.replace(day=1)


def test_the_monthly_pack_shows_the_meetings_decisions_and_last_months_follow_ups(now, qms):
    today = timezone.localdate(now)
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    pack = monthly_pack(qms, month, now)
    assert pack.review is not None and pack.review.held_on < today and pack.review.attendees
    assert sorted(line.status for line in pack.decisions) == sorted([DONE, OPEN, OVERDUE])
    for line in pack.decisions:
        assert line.decision.owner.has_role("responsible") and line.decision.created_at < now
        assert line.decision.due_date >= pack.review.held_on
    (done,) = [line.decision for line in pack.decisions if line.status == DONE]
    assert done.follow_up and pack.review.held_on < timezone.localdate(done.done_at) < today
    follow_up = {line.decision.review.month for line in pack.follow_up}
    assert follow_up == {(month - timedelta(days=1)).replace(day=1)}
    assert len(pack.follow_up) == 3 and all(line.decision.follow_up for line in pack.follow_up)
    assert sorted(line.status for line in pack.follow_up) == [DONE, DONE, OPEN]


def test_the_previous_years_statement_is_concluded_and_approved_only_past_the_due_day(now, qms):
    today = timezone.localdate(now)
    statement = YearlyStatement.objects.get()
    assert statement.year == today.year - 1
    assert timezone.localdate(statement.drafted_at) == date(today.year, 1, 1)
    figures = yearly_figures(qms, statement.year)
    assert not figures.empty and str(figures.current.received) in statement.conclusions
    reminder = datetime.combine(date(today.year, 1, 5), time(8), tzinfo=ZONE)
    assert statement.escalated_at is None
    reminded = Notification.objects.filter(kind="yearly_statement_due", user=qms)
    assert statement.reminded_at == reminder and reminded.get().created_at == reminder
    if now == IN_JANUARY:
        assert not statement.approved  # waits for the QMS head: escalated after the 15th unless approved
    else:
        assert statement.approved and statement.approved_by == qms
        assert reminder < statement.approved_at < datetime.combine(date(today.year, 1, 16), time(), tzinfo=ZONE)


def test_the_qms_head_and_the_director_have_reports_mailed(now):
    kinds = {(s.user.username, s.kind) for s in ReportSubscription.objects.select_related("user")}
    assert {("qms", "monthly"), ("qms", "yearly"), ("manager", "monthly"), ("manager", "dashboard:overview")} <= kinds
    assert all(s.created_at < now for s in ReportSubscription.objects.all())
