from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from amends.complaints.choices import Channel, Importance
from amends.complaints.models import Complaint

from .calendar import CalendarRules, check_intervals
from .choices import Basis, ClockKind, ExceptionKind, Level, Preset, Weekday

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

USER = settings.AUTH_USER_MODEL


class BusinessCalendar(models.Model):
    """Working hours in a time zone, minus a country's public holidays, with dated exceptions."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    country = models.CharField(
        _("country"), max_length=3, blank=True,
        help_text=_("Code of the country whose public holidays are days off, e.g. RU; empty for none."),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Moscow")

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.country and self.country.upper() not in holidays.list_supported_countries():
            errors["country"] = _("Public holidays are not known for the country “%(code)s”.") % {
                "code": self.country
            }
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            errors["time_zone"] = _("“%(zone)s” is not a time zone, e.g. Europe/Moscow.") % {
                "zone": self.time_zone
            }
        if errors:
            raise ValidationError(errors)
        self.country = self.country.upper()

    def rules(self) -> CalendarRules:
        """The calendar detached from the database; prefetch `hours` and `exceptions` for a list."""
        exceptions = list(self.exceptions.all())
        return CalendarRules.build(
            time_zone=self.time_zone, country=self.country,
            hours=[(h.weekday, h.start, h.end) for h in self.hours.all()],
            days_off=[e.date for e in exceptions if e.kind == ExceptionKind.DAY_OFF],
            working_days=[e.date for e in exceptions if e.kind == ExceptionKind.WORKING_DAY],
        )


class WorkingHours(models.Model):
    """One working interval of a weekday; a day may have several (e.g. before and after lunch)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["weekday", "start"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        # Overlaps are a matter of the whole day: the calendar's form and rules() check them.
        check_intervals([(self.weekday, self.start, self.end)])


class CalendarException(models.Model):
    """A date that differs from the usual week, e.g. a Saturday worked instead of a holiday."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="exceptions",
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=ExceptionKind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="deadlines_one_exception_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"


def positive_allowance(value: timedelta) -> None:
    if value is not None and value <= timedelta(0):
        raise ValidationError(_("The allowance must be longer than zero."), code="allowance")


class DeadlinePolicy(models.Model):
    """How long one clock allows for the cards it applies to; the most specific row wins.

    A row applies when each criterion it sets matches the card (an empty channel or importance
    matches any). Among the rows that apply, the one with the most criteria set wins; on a tie,
    key account, then investigation, then importance, then channel decide.
    """

    clock = models.CharField(_("clock"), max_length=20, choices=ClockKind.choices)
    preset = models.CharField(
        _("preset"), max_length=30, choices=Preset.choices, blank=True,
        help_text=_("Empty for the standard clocks; otherwise the statutory preset this row belongs to."),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    importance = models.CharField(_("importance"), max_length=10, choices=Importance.choices, blank=True)
    key_accounts_only = models.BooleanField(_("key accounts only"), default=False)
    investigation_only = models.BooleanField(
        _("only when an investigation is needed"), default=False,
    )
    allowance = models.DurationField(
        _("allowance"), validators=[positive_allowance],
        help_text=_("e.g. “1:00:00” for an hour, “10 00:00:00” for ten days."),
    )
    basis = models.CharField(_("counted in"), max_length=10, choices=Basis.choices, default=Basis.CALENDAR)
    calendar = models.ForeignKey(
        BusinessCalendar, null=True, blank=True, on_delete=models.PROTECT, related_name="policies",
        verbose_name=_("business calendar"),
    )
    met_on_registration = models.BooleanField(
        _("met by registration"), default=False,
        help_text=_("Registering the card is itself the response, e.g. a phone call taken."),
    )
    extension = models.DurationField(
        _("one extension of"), null=True, blank=True, validators=[positive_allowance],
        help_text=_("The clock may be extended once by this much, with a reason."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        ordering = ["preset", "clock", "channel", "importance", "key_accounts_only", "investigation_only"]
        constraints = [
            models.UniqueConstraint(
                fields=["clock", "preset", "channel", "importance", "key_accounts_only", "investigation_only"],
                name="deadlines_one_policy_per_criteria",
            ),
            models.CheckConstraint(
                condition=Q(allowance__gt=timedelta(0)), name="deadlines_policy_allowance_positive",
            ),
        ]

    def __str__(self) -> str:
        criteria = [
            str(c) for c in (
                self.get_preset_display() if self.preset else "",
                self.get_channel_display() if self.channel else "",
                self.get_importance_display() if self.importance else "",
                _("key accounts") if self.key_accounts_only else "",
                _("investigation") if self.investigation_only else "",
            ) if c
        ]
        suffix = f" ({', '.join(criteria)})" if criteria else ""
        return f"{self.get_clock_display()}{suffix}: {self.allowance}"

    def clean(self) -> None:
        if self.basis == Basis.WORKING and self.calendar_id is None:
            raise ValidationError({"calendar": _("Working time is counted on a business calendar: choose one.")})

    @property
    def specificity(self) -> tuple[int, bool, bool, bool, bool]:
        flags = (self.key_accounts_only, self.investigation_only, bool(self.importance), bool(self.channel))
        return (sum(flags), *flags)


class EscalationStep(models.Model):
    """One rung of the escalation ladder: when it fires (per cent of the allowance) and whom it tells."""

    level = models.PositiveSmallIntegerField(_("step"), choices=Level.choices, unique=True)
    percent = models.PositiveSmallIntegerField(
        _("per cent of the allowance"),
        help_text=_("At risk below 100, breached at 100, escalation above 100."),
    )
    notify_responsible = models.BooleanField(_("notify the responsible person"), default=False)
    notify_qms_heads = models.BooleanField(_("notify the heads of the QMS"), default=False)
    notify_managers = models.BooleanField(_("notify the head of the company (managers)"), default=False)

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation ladder")
        ordering = ["level"]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.percent} %"

    def clean(self) -> None:
        bounds: dict[int, tuple[int, int]] = {
            Level.AT_RISK: (1, 99), Level.BREACHED: (100, 100), Level.ESCALATED: (101, 10000),
        }
        allowed = bounds.get(self.level)
        if allowed and self.percent is not None and not allowed[0] <= self.percent <= allowed[1]:
            messages: dict[int, StrOrPromise] = {
                Level.AT_RISK: _("“At risk” fires before the deadline: between 1 and 99 per cent."),
                Level.BREACHED: _("“Breached” is the deadline itself: 100 per cent."),
                Level.ESCALATED: _("Escalation fires after the deadline: more than 100 per cent."),
            }
            raise ValidationError({"percent": messages[self.level]})


class CardPreset(models.Model):
    """The statutory preset a card took instead of the standard decision clock."""

    complaint = models.OneToOneField(
        Complaint, primary_key=True, on_delete=models.CASCADE, related_name="deadline_preset",
    )
    preset = models.CharField(_("preset"), max_length=30, choices=Preset.choices)
    chosen_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    chosen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("card preset")
        verbose_name_plural = _("card presets")

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.get_preset_display()}"


RUNNING = Q(met_at__isnull=True, stopped_at__isnull=True)
TICKING = RUNNING & Q(paused_at__isnull=True)


class Clock(models.Model):
    """One deadline of one card. Allowance, basis and calendar are copied from the policy when the
    clock starts, so editing a policy changes no running clock; the escalation thresholds are
    precomputed so that the sweep is a few indexed range queries."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(_("clock"), max_length=20, choices=ClockKind.choices)
    preset = models.CharField(_("preset"), max_length=30, choices=Preset.choices, blank=True)
    policy = models.ForeignKey(
        DeadlinePolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="clocks",
    )
    allowance = models.DurationField(_("allowance"), validators=[positive_allowance])
    basis = models.CharField(_("counted in"), max_length=10, choices=Basis.choices)
    calendar = models.ForeignKey(
        BusinessCalendar, null=True, blank=True, on_delete=models.PROTECT, related_name="clocks",
    )
    started_at = models.DateTimeField(_("started at"))
    at_risk_at = models.DateTimeField(_("at risk from"))
    due_at = models.DateTimeField(_("due at"))
    escalate_at = models.DateTimeField(_("escalated from"))
    # Set while the card waits for the customer; the thresholds move when the wait ends.
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_total = models.DurationField(_("time paused"), default=timedelta(0))
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    # Met by registering the card (a phone call taken): nobody had to meet it, so the on-time
    # figures leave it out and show it apart.
    met_by_registration = models.BooleanField(_("met by registration"), default=False)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    # The last escalation step fired (0: none); raised only by a conditional UPDATE in the sweep.
    level = models.PositiveSmallIntegerField(_("escalation step"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")
        ordering = ["due_at", "pk"]
        indexes = [
            # A card's clocks by kind, with what the analysis's timeliness reads (analytics/figures/timeliness.py),
            # read from the index alone.
            models.Index(
                fields=["complaint", "kind", "met_by_registration", "stopped_at", "met_at", "due_at", "started_at",
                        "paused_total", "paused_at"],
                name="deadlines_clock_analysis",
            ),
            models.Index(fields=["level", "at_risk_at"], condition=TICKING, name="deadlines_clock_at_risk"),
            models.Index(fields=["level", "due_at"], condition=TICKING, name="deadlines_clock_due"),
            models.Index(fields=["level", "escalate_at"], condition=TICKING, name="deadlines_clock_escalate"),
            # The clocks past due now, the longest first (the weekly summary, the list's "breached" filter),
            # whatever step they reached.
            models.Index(fields=["due_at", "kind", "complaint"], condition=TICKING, name="deadlines_clock_ticking_due"),
            # The clocks met in a week (the weekly summary's figures), read from the index alone.
            models.Index(
                fields=["met_at", "kind", "due_at", "met_by_registration", "complaint"],
                condition=Q(met_at__isnull=False), name="deadlines_clock_met",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.get_kind_display()} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.met_at is None and self.stopped_at is None

    @property
    def thresholds(self) -> dict[int, object]:
        return {Level.AT_RISK: self.at_risk_at, Level.BREACHED: self.due_at, Level.ESCALATED: self.escalate_at}


class CardDeadlines(Complaint):
    """The cards as the deadlines admin lists them, to recompute their clocks."""

    class Meta:
        proxy = True
        verbose_name = _("card's deadlines")
        verbose_name_plural = _("cards' deadlines")


class CustomerWait(models.Model):
    """The card waits for the customer: its clocks are paused until they reply or the wait is ended."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="customer_waits")
    reason = models.TextField(_("reason"))
    started_at = models.DateTimeField(_("since"))
    started_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    ended_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("wait for the customer")
        verbose_name_plural = _("waits for the customer")
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"], condition=Q(ended_at__isnull=True), name="deadlines_one_open_wait",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.reason[:60]}"
