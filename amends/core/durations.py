"""Lengths of time in words, in the reader's language.

The msgids are Django's own (django.utils.timesince), marked here so that makemessages keeps them
in our catalogues: Django ships no Armenian for them, and a missing Armenian string falls back to
the default language, Russian ("23 часа" in an Armenian sentence). Ours come first, for Django's
timesince and naturaltime too."""

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import ngettext_lazy

# Lazy, as Django's are: translated when used, in the language active then.
TIME_STRINGS: dict[str, Any] = {
    "year": ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    "month": ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    "week": ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    "day": ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    "hour": ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    "minute": ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
}


def duration_words(value: timedelta, depth: int = 2) -> str:
    """E.g. “1 day, 3 hours”: the `depth` largest units; the sign is ignored."""
    anchor = timezone.now()
    return timeuntil(anchor + abs(value), anchor, time_strings=TIME_STRINGS, depth=depth)
