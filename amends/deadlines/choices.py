from django.db import models
from django.utils.translation import gettext_lazy as _


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    DECISION = "decision", _("Decision")
    # Statutory clocks a preset brings (DOMAIN.md §10).
    REGISTRATION = "registration", _("Registration")
    ANSWER = "answer", _("Statutory answer")


class Preset(models.TextChoices):
    """Statutory terms a card can take instead of the standard decision clock (DOMAIN.md §10)."""

    CONSUMER_REFUND = "consumer_refund", _("Consumer law: refund or price reduction (art. 22)")
    CONSUMER_REPLACEMENT = "consumer_replacement", _("Consumer law: replacement (art. 21)")
    CONSUMER_REPLACEMENT_CHECK = "consumer_replacement_check", _(
        "Consumer law: replacement with an extra quality check (art. 21)"
    )
    CONSUMER_REPAIR = "consumer_repair", _("Consumer law: repair (art. 20)")
    CITIZENS_APPEAL = "citizens_appeal", _("Citizens' appeal (59-FZ)")


# The standard clocks a registered card gets; a preset replaces DECISION with its own clocks.
STANDARD_CLOCKS = (ClockKind.FIRST_RESPONSE, ClockKind.DECISION)
REPLACED_BY_PRESET = (ClockKind.DECISION,)


class Basis(models.TextChoices):
    CALENDAR = "calendar", _("Calendar time")
    WORKING = "working", _("Working time")


class ExceptionKind(models.TextChoices):
    DAY_OFF = "day_off", _("Extra day off")
    WORKING_DAY = "working_day", _("Extra working day")


class Level(models.IntegerChoices):
    """The escalation ladder's steps; a clock's `level` is the last step fired."""

    AT_RISK = 1, _("At risk")
    BREACHED = 2, _("Breached")
    ESCALATED = 3, _("Escalated to the head of the company")


class ClockStatus(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")
    MET = "met", _("Met")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")
