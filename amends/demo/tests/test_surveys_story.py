from datetime import UTC, datetime, timedelta

import pytest

from amends.demo.surveys import SurveyStory
from amends.surveys.choices import FollowUpKind
from amends.surveys.followups import company_calendar, due_of

pytestmark = pytest.mark.django_db


def test_the_demo_call_back_is_still_due_whenever_the_demo_is_loaded():
    """The demo's latest call-back is "due today": loaded just after a working day ends, it must not be
    overdue already."""
    rules, monday = company_calendar(), datetime(2026, 12, 7, tzinfo=UTC)
    for hour in range(7 * 24):
        now = monday + timedelta(hours=hour, minutes=4)
        received = SurveyStory._call_back_received(now, rules)
        assert now - timedelta(hours=3) <= received < now, now
        assert now < due_of(FollowUpKind.CALL_BACK, received, rules) < now + timedelta(days=4), now
