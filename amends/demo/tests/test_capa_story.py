"""The battery story (demo/capa.py) on any day of the year: its ten cards fall in one calendar year, so
that the yearly supplier norm counts them together, whenever the demo is loaded."""

from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.test import TestCase
from django.utils import timezone, translation

from amends.capa.models import Nonconformity, NormBreach
from amends.capa.norms import breach_key, norm_status
from amends.capa.periods import period_of
from amends.demo.capa import BATTERY_DAYS_AGO, BATTERY_SUPPLIER, DONE_DAYS_AGO, OPENED_DAYS_AGO, _day, battery_now
from amends.demo.load import load_demo
from amends.demo.texts import SUPPLIERS

pytestmark = pytest.mark.django_db

ZONE = timezone.get_default_timezone()
IN_JULY = datetime(2026, 7, 2, 10, 0, tzinfo=ZONE)  # its cards would otherwise straddle New Year


def test_every_day_of_a_year_the_ten_cards_and_the_record_fall_in_one_year_before_today():
    day = datetime(2026, 1, 1, 12, 0, tzinfo=ZONE)
    for _ in range(366):
        story = battery_now(day)
        years = {_day(story, days_ago).year for days_ago in BATTERY_DAYS_AGO}
        assert len(years) == 1, day
        assert years == {_day(story, OPENED_DAYS_AGO).year}, day
        assert story <= day and story - timedelta(days=DONE_DAYS_AGO) < day - timedelta(days=1), day
        # Unmoved whenever the cards already fall in one year (e.g. in December).
        if _day(day, BATTERY_DAYS_AGO[0]).year == _day(day, BATTERY_DAYS_AGO[-1]).year:
            assert story == day
        day += timedelta(days=1)


@pytest.fixture(scope="module")
def loaded_in_july(django_db_setup, django_db_blocker):
    translation.activate(settings.LANGUAGE_CODE)
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            load_demo(now=IN_JULY)
        yield IN_JULY
        transaction.set_rollback(True)


def test_loaded_in_july_the_battery_supplier_is_over_its_yearly_norm_and_its_record_opened(loaded_in_july):
    record = Nonconformity.objects.get(supplier__name=SUPPLIERS[BATTERY_SUPPLIER][0])
    assert record.complaints.count() == 9 and record.opened_at < loaded_in_july
    period = period_of("year", timezone.localdate(record.opened_at))
    (row,) = [row for row in norm_status(period) if row.supplier == record.supplier]
    assert row.count == len(BATTERY_DAYS_AGO) and row.exceeded
    assert NormBreach.objects.filter(key=breach_key("supplier", record.supplier.pk, period)).exists()
