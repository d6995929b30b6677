"""Fixtures of the nonconformities' deadline tests (conftest.py imports them): English texts, a
frozen clock, a record opened on Monday 2 March 2026 at 10:00 in Moscow with its owner.

Its analysis is due on 12 March (10 days), so by 13 March 00:00: the allowance is 254 hours, at
risk (75 %) from 10 March 04:30, escalated (200 %) from 23 March 14:00. Its plan is due on
1 April, by 2 April 00:00."""

from datetime import date, datetime

import pytest
from django.utils import translation

from amends.capa.models import Action, Nonconformity
from amends.capa.nonconformities import nonconformity_open
from amends.deadlines.tests.conftest import MSK, frozen, msk  # noqa: F401 - shared fixtures

OPENED = msk(2026, 3, 2, 10)
ANALYSIS_AT_RISK, ANALYSIS_BREACHED = msk(2026, 3, 10, 8, 30), msk(2026, 3, 13)
ANALYSIS_ESCALATED = msk(2026, 3, 23, 14)


@pytest.fixture
def english():
    """Texts asserted in their English source (pytestmark of the clocks' test modules)."""
    with translation.override("en"):
        yield


@pytest.fixture
def record_opened(frozen, qms, responsible):  # noqa: F811 - the fixture imported above
    """open_record(title, owner=responsible): a record opened at OPENED (the clock stays there)."""
    frozen(OPENED)

    def open_record(title: str = "Batteries lose capacity", owner=responsible) -> Nonconformity:
        return nonconformity_open(actor=qms, title=title, owner=owner)

    return open_record


def planned(record: Nonconformity, owner, due: date, at: datetime = OPENED, **fields) -> Action:
    """An action as the actions part plans it (created at `at`), with `fields` set."""
    action = Action.objects.create(
        nonconformity=record, description="Incoming inspection of batteries", owner=owner, due_date=due,
        check_on=date(2026, 9, 1), created_at=at,
    )
    if fields:
        Action.objects.filter(pk=action.pk).update(**fields)
        action.refresh_from_db()
    return action
