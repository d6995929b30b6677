from datetime import date

import pytest

from amends.reports.selectors import weekly_summary
from amends.reports.weeks import parse_week, previous_week_start, week_label

from .conftest import NOW, WEEK, msk


def test_the_default_week_is_the_last_whole_week_in_the_company_time_zone(db):
    # Sunday 21:30 UTC is already Monday 00:30 in Moscow: the week just ended is the last one.
    assert previous_week_start(msk(2025, 3, 17, 0, 30)) == date(2025, 3, 10)
    assert previous_week_start(msk(2025, 3, 16, 23, 59)) == date(2025, 3, 3)
    assert weekly_summary(now=NOW).week_start == WEEK


def test_iso_weeks_are_read_and_written_as_2026_w47():
    assert parse_week("2026-W47") == date(2026, 11, 16)
    assert week_label(date(2026, 11, 16)) == "2026-W47"
    assert week_label(date(2024, 12, 30)) == "2025-W01"
    for bad in ("2026-47", "2026-W54", "W47", ""):
        with pytest.raises(ValueError):
            parse_week(bad)
