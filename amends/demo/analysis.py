"""The demo's learning from the numbers (issue 16): the order counts each month was entered with, the
last two monthly review meetings with their decisions, the previous year's statement, and who has the
reports mailed.

Everything goes through the analytics services, run as of the moment each step belongs to (the
services that take a `now` are given it); what they stamp with the time they run at is moved to that
moment after, as `load.backdate` does for the cards.

The January story of the statement: it is drafted on 1 January, the QMS head is reminded on the 5th
and has typed the conclusions; past the 15th it is approved (on the 12th, in time), before it waits for
the approval, so that the reminder is seen and the escalation after the 15th is still to come.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from amends.accounts.models import User
from amends.analytics.models import YearlyStatement
from amends.analytics.models.reviews import MonthlyReview, ReviewDecision
from amends.analytics.models.schedules import ReportSubscription
from amends.analytics.monthly import last_whole_month, month_shift, month_start
from amends.analytics.orders import order_months, orders_save
from amends.analytics.reviews import decision_add, decision_update, review_record
from amends.analytics.schedules import subscriptions_set
from amends.analytics.statements import (
    DUE_DAY,
    REMIND_FROM_DAY,
    statement_approve,
    statement_conclusions_set,
    yearly_statement_sweep,
)
from amends.analytics.yearly import percent, year_counts
from amends.complaints.choices import Justification
from amends.notifications.models import Notification

from .plan import HISTORY_DAYS
from .texts import RU

TEXTS = RU["analysis"]
ORDERS_PER_MONTH = 5200  # about 3 complaints per 1,000 orders
APPROVED_DAY = 12  # of January, past the reminder, before the statement is due
# Who has which reports mailed: the QMS head reads everything, the director the overview and the pack.
SUBSCRIPTIONS = {
    "qms": ["monthly", "yearly", "dashboard:overview", "dashboard:timeliness"],
    "manager": ["monthly", "yearly", "dashboard:overview"],
}


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_default_timezone())


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _orders_enter(now: datetime, qms: User, rng: random.Random) -> int:
    """Each whole month of the history, entered on the 2nd of the month after (once that is past):
    about 5,200 orders, more in autumn and winter (heating), a little noise."""
    today = timezone.localdate(now)
    first = month_start(today - timedelta(days=HISTORY_DAYS))
    entered = 0
    for month in reversed(order_months(today)[1:]):
        moment = _at(month_shift(month, 1).replace(day=2), 10)
        if month < first or moment > now:
            continue
        season = 1 + 0.18 * math.cos((month.month - 1) * math.pi / 6)
        orders_save(qms, {month: round(ORDERS_PER_MONTH * season * rng.uniform(0.93, 1.07))}, now=moment)
        entered += 1
    return entered


def _meeting_day(month: date, today: date) -> date:
    """The meeting about `month` on the 3rd of the next month (a working day), or three days before
    `today` when that is earlier: the meeting has taken place and a decision can already be overdue."""
    return _weekday_on_or_before(min(month_shift(month, 1).replace(day=3), today - timedelta(days=3)))


def _meeting(qms: User, month: date, held_on: date) -> MonthlyReview:
    review = review_record(actor=qms, month=month, held_on=held_on, attendees=TEXTS["attendees"],
                           notes=TEXTS["notes"])
    MonthlyReview.objects.filter(pk=review.pk).update(recorded_at=_at(held_on, 16))
    return review


def _decision(qms: User, month: date, held_on: date, owner: User, text: str, due: date) -> ReviewDecision:
    decision = decision_add(actor=qms, month=month, text=text, owner=owner, due_date=due)
    ReviewDecision.objects.filter(pk=decision.pk).update(created_at=_at(held_on, 16))
    return decision


def _follow_up(qms: User, decision: ReviewDecision, text: str, done: bool, at: datetime,
               due: date | None = None) -> None:
    decision_update(actor=qms, decision=decision, follow_up=text, done=done, due_date=due)
    if done:
        ReviewDecision.objects.filter(pk=decision.pk).update(done_at=at)


def _reviews_record(now: datetime, users: dict[str, User]) -> MonthlyReview:
    """The meeting about the month before last, its decisions followed up at the meeting about the last
    whole month, which took three: one done since, one open, one overdue."""
    qms, today = users["qms"], timezone.localdate(now)
    month = last_whole_month(today)
    previous = month_shift(month, -1)
    held, held_before = _meeting_day(month, today), _meeting_day(previous, today)
    _meeting(qms, previous, held_before)
    followed = []
    for owner, days, text, done, follow_up in TEXTS["previous_decisions"]:
        decision = _decision(qms, previous, held_before, users[owner], text, held_before + timedelta(days=days))
        followed.append((decision, done, follow_up))
    review = _meeting(qms, month, held)
    for decision, done, follow_up in followed:
        # Not done: the meeting moves it a fortnight on.
        _follow_up(qms, decision, follow_up, done, _at(held, 15), None if done else today + timedelta(days=14))
    due_dates = {
        "done": held + timedelta(days=10), "open": today + timedelta(days=21), "overdue": today - timedelta(days=1),
    }
    for owner, text, status, follow_up in TEXTS["decisions"]:
        decision = _decision(qms, month, held, users[owner], text, due_dates[status])
        if status == "done":
            _follow_up(qms, decision, follow_up, True, _at(held + timedelta(days=1), 17))
    return review


def _statement(now: datetime, users: dict[str, User]) -> YearlyStatement:
    """The previous year's statement as the sweep and the QMS head left it by `now`."""
    qms, today = users["qms"], timezone.localdate(now)
    year, new_year = today.year - 1, _at(date(today.year, 1, 1), 0)
    since = timezone.now()
    yearly_statement_sweep(min(new_year + timedelta(hours=6), now))
    reminder = _at(date(today.year, 1, REMIND_FROM_DAY), 8)
    if reminder <= now:
        yearly_statement_sweep(reminder)
    Notification.objects.filter(kind="yearly_statement_due", created_at__gte=since).update(created_at=reminder)
    current, before = year_counts(qms, year), year_counts(qms, year - 1)
    justified = sum(current.justification.get(key, 0) for key in (Justification.JUSTIFIED, Justification.PARTLY))
    statement = statement_conclusions_set(actor=qms, year=year, conclusions=TEXTS["conclusions"].format(
        year=year, received=current.received, previous=before.received,
        justified=round(percent(justified, current.received) or 0),
    ))
    if today > date(today.year, 1, DUE_DAY):
        statement = statement_approve(actor=qms, year=year, now=_at(date(today.year, 1, APPROVED_DAY), 15))
    return statement


def _subscribe(now: datetime, users: dict[str, User]) -> None:
    for username, kinds in SUBSCRIPTIONS.items():
        subscriptions_set(users[username], kinds)
    ReportSubscription.objects.update(created_at=now - timedelta(days=60))


def analysis_story(now: datetime, users: dict[str, User], seed: int) -> str:
    """The numbers' story, after every card is in; returns what was made."""
    months = _orders_enter(now, users["qms"], random.Random(seed + 18))
    review = _reviews_record(now, users)
    statement = _statement(now, users)
    _subscribe(now, users)
    state = "approved" if statement.approved else "waiting for approval"
    return (f"order counts for {months} months, the review of {review.month:%Y-%m} with "
            f"{review.decisions.count()} decisions, the statement for {statement.year} {state}, "
            f"{ReportSubscription.objects.count()} report subscriptions")

