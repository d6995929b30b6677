"""Helpers for the deadline tests (the weekly summary's tests use them too): English texts, the
default calendar, a frozen clock, and times in Moscow."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from amends.complaints.tests.conftest import cause, register, walk  # noqa: F401 - shared fixtures
from amends.deadlines.defaults import DEFAULT_CALENDAR
from amends.deadlines.models import BusinessCalendar, Clock

MSK = ZoneInfo("Europe/Moscow")


def msk(*args) -> datetime:
    return datetime(*args, tzinfo=MSK)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in their English source."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _no_automatic_duplicate_links(settings):
    settings.AMENDS_DUPLICATE_AUTO_LINK_HOURS = 0


@pytest.fixture
def russia(db) -> BusinessCalendar:
    return BusinessCalendar.objects.get(name=DEFAULT_CALENDAR)


@pytest.fixture
def frozen():
    """frozen(moment): stop the clock at that moment; later calls move it."""
    travellers = []

    def freeze(moment: datetime) -> None:
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield freeze
    for traveller in travellers:
        traveller.stop()


def clocks_of(complaint) -> dict:
    return {clock.kind: clock for clock in Clock.objects.filter(complaint=complaint)}
