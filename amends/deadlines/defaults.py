"""The default calendar, policies and escalation ladder (DOMAIN.md §5, §10), loaded by a migration.

Decisions where the sources give no number: social-network and messenger first responses count
working time on the Russian production calendar (a message at night is answered when the office
opens); every other default counts calendar time; critical importance halves the first-response
and decision allowances; statutory terms are calendar days.
"""

from datetime import time, timedelta

DEFAULT_CALENDAR = "Russia (production calendar)"
WORKDAY = [(weekday, time(9), time(18)) for weekday in range(5)]

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
# (clock, preset, channel, importance, investigation_only, allowance, working time, met on registration, extension)
POLICIES = [
    *[("first_response", "", channel, importance, False, allowance, True, False, None)
      for channel in ("social", "messenger")
      for importance, allowance in (("", timedelta(minutes=60)), ("critical", timedelta(minutes=30)))],
    *[("first_response", "", channel, importance, False, allowance, False, False, None)
      for channel in ("email", "web_form", "letter", "fax")
      for importance, allowance in (("", 24 * HOUR), ("critical", 12 * HOUR))],
    *[("first_response", "", channel, "", False, HOUR, False, True, None)
      for channel in ("phone", "in_person")],
    ("decision", "", "", "", False, DAY, False, False, None),
    ("decision", "", "", "", True, 10 * DAY, False, False, None),
    ("decision", "", "", "critical", False, 12 * HOUR, False, False, None),
    ("decision", "", "", "critical", True, 5 * DAY, False, False, None),
    ("answer", "consumer_refund", "", "", False, 10 * DAY, False, False, None),
    ("answer", "consumer_replacement", "", "", False, 7 * DAY, False, False, None),
    ("answer", "consumer_replacement_check", "", "", False, 20 * DAY, False, False, None),
    ("answer", "consumer_repair", "", "", False, 45 * DAY, False, False, None),
    ("registration", "citizens_appeal", "", "", False, 3 * DAY, False, True, None),
    ("answer", "citizens_appeal", "", "", False, 30 * DAY, False, False, 30 * DAY),
]
# (level, per cent of the allowance, responsible, QMS heads, managers)
LADDER = [(1, 75, True, False, False), (2, 100, False, True, False), (3, 200, False, False, True)]


def load_defaults(BusinessCalendar, WorkingHours, DeadlinePolicy, EscalationStep) -> None:
    """Idempotent; takes the models so that a migration can pass its historical ones."""
    calendar, created = BusinessCalendar.objects.get_or_create(
        name=DEFAULT_CALENDAR, defaults={"country": "RU", "time_zone": "Europe/Moscow"},
    )
    if created:
        WorkingHours.objects.bulk_create(
            WorkingHours(calendar=calendar, weekday=weekday, start=start, end=end)
            for weekday, start, end in WORKDAY
        )
    for clock, preset, channel, importance, investigation, allowance, working, met, extension in POLICIES:
        DeadlinePolicy.objects.get_or_create(
            clock=clock, preset=preset, channel=channel, importance=importance,
            key_accounts_only=False, investigation_only=investigation,
            defaults={
                "allowance": allowance, "basis": "working" if working else "calendar",
                "calendar": calendar if working else None, "met_on_registration": met,
                "extension": extension,
            },
        )
    for level, percent, responsible, qms_heads, managers in LADDER:
        EscalationStep.objects.get_or_create(level=level, defaults={
            "percent": percent, "notify_responsible": responsible,
            "notify_qms_heads": qms_heads, "notify_managers": managers,
        })
