"""What a response asks of the company (DOMAIN.md §8, seed 000 stage 2): a K below the threshold
opens a follow-up for the responsible manager, with the criteria that pulled K down and the seeds'
checklist of organisational measures; "would not recommend us" opens an urgent call-back, due the
same working day, closed with why and what the customer suggests. Each is opened once per response
and kind, its owner told; an overdue one is escalated to the QMS heads once."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.access import OVERSEERS
from amends.accounts.models import User
from amends.capa.deadlines import ladder_percents, level_reached
from amends.core.links import absolute_url
from amends.deadlines.calendar import CalendarRules
from amends.deadlines.choices import ClockStatus, Level
from amends.deadlines.defaults import DEFAULT_CALENDAR, WORKDAY
from amends.deadlines.models import BusinessCalendar
from amends.deadlines.selectors import Deadline
from amends.notifications.card import qms_heads
from amends.notifications.services import NotificationSpec, notify_many

from .access import access_followup_close
from .audience import customer_cards
from .choices import FollowUpKind, FollowUpState, OrganisationalMeasure
from .models import FollowUp, Response
from .models.policy import policy
from .scoring import Rating, below, parts
from .selectors import half_up

RUNNING = (ClockStatus.ON_TRACK, ClockStatus.AT_RISK, ClockStatus.BREACHED)


def company_calendar() -> CalendarRules:
    """The deadlines' default calendar (the Russian production calendar), else a Monday-to-Friday week."""
    calendar = BusinessCalendar.objects.filter(name=DEFAULT_CALENDAR).prefetch_related("hours", "exceptions").first()
    if calendar is not None:
        return calendar.rules()
    return CalendarRules.build(time_zone=settings.TIME_ZONE, hours=WORKDAY)


def working_day_end(now: datetime, rules: CalendarRules, days_after: int = 0) -> datetime:
    """The end of the current working day (after hours or on a day off: of the next one), or of the
    working day `days_after` working days later."""
    spans = rules.working_spans(now)
    span_start, span_end = next(spans)
    day, end = span_start.astimezone(rules.time_zone).date(), span_end
    for span_start, span_end in spans:
        span_day = span_start.astimezone(rules.time_zone).date()
        if span_day != day:
            if days_after == 0:
                break
            days_after -= 1
            day = span_day
        end = span_end
    return end


def due_of(kind: str, now: datetime, rules: CalendarRules | None = None) -> datetime:
    rules = rules or company_calendar()
    days = policy().low_k_due_days if kind == FollowUpKind.LOW_K else 0
    return working_day_end(now, rules, days)


def owner_of(response: Response) -> User | None:
    """The responsible person of the response's card, else of the customer's latest card (a periodic
    or chosen customers' campaign follows no card: their manager is still theirs), else the first
    active head of the QMS."""
    responsible = response.complaint.responsible if response.complaint is not None else None
    if responsible is not None and responsible.is_active:
        return responsible
    latest = customer_cards().filter(contact_id=response.contact_id, responsible__is_active=True).select_related(
        "responsible",
    ).order_by("-received_at", "-pk").first()
    if latest is not None:
        return latest.responsible
    return min(qms_heads(), key=lambda user: user.pk, default=None)


def kinds_asked(response: Response) -> list[str]:
    kinds: list[str] = []
    if below(Fraction(response.weighted_sum, response.importance_sum), policy().k_threshold):
        kinds.append(FollowUpKind.LOW_K)
    if response.recommends is False:
        kinds.append(FollowUpKind.CALL_BACK)
    return kinds


def followup_url(followup: FollowUp) -> str:
    return absolute_url(reverse("surveys:followup", args=[followup.pk]))


def followups_open(response: Response, now: datetime | None = None) -> list[FollowUp]:
    """The follow-ups the response asks for and does not have yet, each owner told once."""
    now = now or timezone.now()
    kinds = [kind for kind in kinds_asked(response) if not response.follow_ups.filter(kind=kind).exists()]
    if not kinds:
        return []
    owner, rules = owner_of(response), company_calendar()
    made = [
        FollowUp.objects.create(kind=kind, response=response, owner=owner, due_at=due_of(kind, now, rules))
        for kind in kinds
    ]
    if owner is not None:
        notify_many([_opened_notice(followup, owner) for followup in made])
    return made


def _opened_notice(followup: FollowUp, user: User) -> NotificationSpec:
    response = followup.response
    return NotificationSpec(
        user_id=user.pk, kind=f"survey_{followup.kind}", key=f"survey_follow_up:{followup.pk}",
        complaint_id=response.complaint_id, template="surveys/notifications/follow_up_opened.txt",
        context={
            "kind": followup.kind, "customer": str(response.contact), "k": str(response.k.quantize(Decimal("0.01"))),
            "due": followup.due_at.isoformat(), "url": followup_url(followup),
        },
    )


def survey_answered_receiver(sender, response: Response, **kwargs) -> None:
    followups_open(response)


@dataclass(frozen=True)
class PullingDown:
    """A criterion whose score is below the threshold, and how much of K's gap to it it makes:
    (threshold − score) × weight / 100; over all criteria these add up to threshold − K."""

    criterion_name: str
    score: int
    importance: int
    weight: Decimal  # per cent, two places
    k: Decimal
    shortfall: Decimal


def criteria_pulling_down(response: Response) -> list[PullingDown]:
    """The criteria rated below the threshold with some weight (an importance of 0 pulls nothing),
    the largest weighted shortfall first."""
    threshold = Fraction(policy().k_threshold)
    answers = list(response.answers.select_related("criterion"))
    table = parts([Rating(answer.score, answer.importance) for answer in answers])
    rows = [
        (answer, part, (threshold - answer.score) * part.weight / 100)
        for answer, part in zip(answers, table, strict=True)
    ]
    rows = [row for row in rows if row[2] > 0]
    rows.sort(key=lambda row: (-row[2], row[0].criterion.order))
    return [
        PullingDown(answer.criterion.localized_name, answer.score, answer.importance,
                    half_up(part.weight), half_up(part.k), half_up(shortfall))
        for answer, part, shortfall in rows
    ]


@transaction.atomic
def followup_close(
    followup: FollowUp, *, actor: User, measures=(), reason: str = "", suggestion: str = "", result: str = "",
) -> FollowUp:
    """Close with its result: a call-back says why the customer would not recommend us and what came
    of the call; a low K names at least one organisational measure, or the result."""
    access_followup_close(actor, followup)
    followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
    if followup.state == FollowUpState.DONE:
        raise ValidationError(_("This follow-up is closed already."))
    measures = list(dict.fromkeys(measures))
    if unknown := [code for code in measures if code not in OrganisationalMeasure.values]:
        raise ValidationError(_("Unknown measure: %(code)s.") % {"code": ", ".join(unknown)})
    reason, suggestion, result = reason.strip(), suggestion.strip(), result.strip()
    if followup.kind == FollowUpKind.CALL_BACK and not (reason and result):
        raise ValidationError(_("Say why the customer would not recommend us and what came of the call."))
    if followup.kind == FollowUpKind.LOW_K and not (measures or result):
        raise ValidationError(_("Tick at least one organisational measure, or write the result."))
    followup.measures, followup.reason, followup.suggestion, followup.result = measures, reason, suggestion, result
    followup.state, followup.closed_at, followup.closed_by = FollowUpState.DONE, timezone.now(), actor
    followup.save(update_fields=["measures", "reason", "suggestion", "result", "state", "closed_at", "closed_by"])
    return followup


def overdue(followups: QuerySet[FollowUp], now: datetime | None = None) -> QuerySet[FollowUp]:
    return followups.filter(state=FollowUpState.OPEN, due_at__lte=now or timezone.now())


def followups_escalate(now: datetime | None = None) -> int:
    """Tell the QMS heads of each open follow-up past its due time, once (escalated_at claimed by a
    conditional UPDATE, so two runs at once tell them once). Returns how many were escalated."""
    now = now or timezone.now()
    heads, done = qms_heads(), 0
    for followup in overdue(FollowUp.objects.filter(escalated_at__isnull=True), now).select_related(
        "response", "response__contact", "owner",
    ):
        with transaction.atomic():
            if not FollowUp.objects.filter(pk=followup.pk, escalated_at__isnull=True).update(escalated_at=now):
                continue
            notify_many([
                NotificationSpec(
                    user_id=head.pk, kind="survey_follow_up_overdue", key=f"survey_follow_up_overdue:{followup.pk}",
                    complaint_id=followup.response.complaint_id,
                    template="surveys/notifications/follow_up_overdue.txt",
                    context={
                        "kind": followup.kind, "customer": str(followup.response.contact),
                        "owner": str(followup.owner) if followup.owner else "", "due": followup.due_at.isoformat(),
                        "url": followup_url(followup),
                    },
                )
                for head in heads
            ])
            done += 1
    return done


def followup_deadline(followup: FollowUp, now: datetime, percents: dict[int, int]) -> Deadline:
    if followup.state == FollowUpState.DONE:
        status = ClockStatus.MET
    else:
        level = level_reached(followup.opened_at, followup.due_at, now, percents)
        status = ClockStatus.ON_TRACK if level == 0 else (
            ClockStatus.AT_RISK if level == Level.AT_RISK else ClockStatus.BREACHED
        )
    return Deadline(
        followup.get_kind_display(), followup.due_at, followup.due_at - now if status in RUNNING else None, status,
        url=reverse("surveys:followup", args=[followup.pk]), subject=str(followup.response.contact),
    )


def my_followup_deadlines(user: User, now: datetime | None = None) -> list[Deadline]:
    """My deadlines: each open follow-up the user owns; two queries."""
    now = now or timezone.now()
    percents = ladder_percents()
    followups = FollowUp.objects.filter(owner=user, state=FollowUpState.OPEN).select_related("response__contact")
    return [followup_deadline(followup, now, percents) for followup in followups]


SHOWN = ("open", "overdue", "done", "all")


def followups_for(user: User, *, shown: str = "open", mine: bool = True, now: datetime | None = None):
    """The follow-ups a list shows: the user's own, or everyone's for those who oversee the surveys."""
    followups = FollowUp.objects.select_related("response", "response__contact", "owner")
    if mine or not user.has_role(*OVERSEERS):
        followups = followups.filter(owner=user)
    if shown == "open":
        followups = followups.filter(state=FollowUpState.OPEN)
    elif shown == "overdue":
        followups = overdue(followups, now)
    elif shown == "done":
        followups = followups.filter(state=FollowUpState.DONE).order_by("-closed_at", "-pk")
    return followups
