# One date and one date-and-time format a language: pages, the timeline and the XLSX
# (amends.core.dates) all read these. Django's own Russian formats give the rest.
DATE_FORMAT = SHORT_DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "d.m.Y H:i"
