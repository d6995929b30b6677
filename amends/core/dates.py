"""Dates and times as the reader's language writes them: the one format a language has
(config/formats/<language>/formats.py), for text built in Python and for the XLSX's number formats."""

from datetime import date, datetime

from django.utils import formats, timezone

# Django's format characters that have an Excel equivalent; "i" (minutes) is Excel's "mm" after hours.
EXCEL_CODES = {
    "d": "dd", "j": "d", "m": "mm", "n": "m", "M": "mmm", "Y": "yyyy", "y": "yy", "H": "hh", "G": "h", "i": "mm",
}
EXCEL_LITERALS = set(" .,:-/")


def date_text(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def datetime_text(moment: datetime) -> str:
    """In the reader's time zone (the active one)."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT")


def excel_number_format(name: str = "SHORT_DATETIME_FORMAT") -> str:
    """The active language's date (or date-and-time) format as an Excel number format."""
    parts = []
    for char in formats.get_format(name):
        if char in EXCEL_CODES:
            parts.append(EXCEL_CODES[char])
        elif char in EXCEL_LITERALS:
            parts.append(char)
        else:
            raise ValueError(f"{name} uses {char!r}, which has no Excel equivalent here")
    return "".join(parts)
