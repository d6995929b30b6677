import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.timesince import timesince

from amends.core.durations import duration_words

CYRILLIC = re.compile("[а-яА-ЯёЁ]")


def words(language: str, value: timedelta) -> str:
    with translation.override(language):
        return duration_words(value).replace("\xa0", " ")


@pytest.mark.parametrize(("value", "expected"), [
    (timedelta(hours=23), "23 ժամ"),
    (timedelta(days=1, hours=3), "1 օր, 3 ժամ"),
    (timedelta(days=40), "1 ամիս, 1 շաբաթ"),
    (timedelta(minutes=5), "5 րոպե"),
])
def test_durations_read_in_armenian_not_in_the_default_russian(value, expected):
    assert words("hy", value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (timedelta(hours=1), "1 час"), (timedelta(hours=23), "23 часа"), (timedelta(hours=5), "5 часов"),
    (timedelta(days=21), "3 недели"), (timedelta(days=5, hours=1), "5 дней, 1 час"), (timedelta(minutes=2), "2 минуты"),
])
def test_durations_in_russian_take_the_right_plural(value, expected):
    assert words("ru", value) == expected


def test_durations_in_english():
    assert words("en", timedelta(days=2, hours=1)) == "2 days, 1 hour"


def test_djangos_own_timesince_reads_our_armenian_too():
    with translation.override("hy"):
        text = timesince(timezone.now() - timedelta(hours=23))
    assert not CYRILLIC.search(text) and "ժամ" in text
