# One date and one date-and-time format a language: pages, the timeline and the XLSX
# (amends.core.dates) all read these. Day first with the month in letters, which no reader
# misreads, and a 24-hour clock as in the other languages. Django's own English formats give the rest.
DATE_FORMAT = SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j M Y H:i"
