"""Compensation granted within each role's limit (DOMAIN.md §6), approved by the head of the QMS
above it, and the statutory penalty of a consumer-law claim whose term was missed (DOMAIN.md §10).

A grant within the highest limit of the granter's roles is given at once; above it, it waits for a
QMS head, who is notified and approves or refuses it with a reason; the granter hears the decision.
Every step is on the card's timeline. A letter is not sent while a grant waits (send check)."""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.complaints.access import COMPENSATION, QMS, access_write, has_relation
from amends.complaints.events import event_compensation
from amends.complaints.models import Complaint
from amends.core.errors import AccessDenied, TransitionNotAllowed, ValidationError
from amends.core.links import absolute_url
from amends.deadlines.choices import ClockKind, ClockStatus, Preset
from amends.deadlines.selectors import card_clocks
from amends.notifications.card import notify_users, qms_heads

from . import event_texts
from .checks import Problem, register_send_check
from .choices import CompensationKind, GrantStatus
from .models import CompensationGrant, CompensationLimit, CompensationOption, GoodsPrice, Letter
from .money import currency

NO_LIMIT = None
CENT = Decimal("0.01")
# Consumer law art. 23: for goods, 1 % of the price for each day of delay.
PENALTY_RATE = Decimal("0.01")
CONSUMER_PRESETS = frozenset({
    Preset.CONSUMER_REFUND, Preset.CONSUMER_REPLACEMENT, Preset.CONSUMER_REPLACEMENT_CHECK, Preset.CONSUMER_REPAIR,
})
STATUTORY_CLOCKS = frozenset({ClockKind.DECISION, ClockKind.ANSWER})
PANEL_URL = "#panel-compensation"


# Limits -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Allowance:
    """What a user may grant of one option: `limit` None is without limit."""

    option: CompensationOption
    limit: Decimal | None

    def covers(self, value: Decimal) -> bool:
        return self.limit is NO_LIMIT or value <= self.limit


def _highest(limits: Iterable[Decimal | None]) -> Decimal | None:
    limits = list(limits)
    return NO_LIMIT if NO_LIMIT in limits else max(limit for limit in limits if limit is not None)


def allowances(user: User) -> list[Allowance]:
    """The active options the user's roles may grant, each with the highest of their limits."""
    limits = CompensationLimit.objects.filter(role__in=user.group_names, option__is_active=True).select_related(
        "option").order_by("option__kind", "option__name", "option")  # the options' own order, read in one query
    options: dict[int, CompensationOption] = {}
    by_option: dict[int, list[Decimal | None]] = {}
    for limit in limits:
        options[limit.option_id] = limit.option
        by_option.setdefault(limit.option_id, []).append(limit.limit)
    return [Allowance(option, _highest(by_option[pk])) for pk, option in options.items()]


def allowance_for(user: User, option: CompensationOption) -> Allowance | None:
    return next((a for a in allowances(user) if a.option.pk == option.pk), None)


# Grants -------------------------------------------------------------------------------------------


def _params(grant: CompensationGrant) -> dict:
    return {
        "option": grant.option.name, "value": str(grant.value), "currency": currency(),
        "method": grant.method, "due": grant.due_date.isoformat(), "granted_by": str(grant.granted_by),
    }


def pending_url() -> str:
    return absolute_url(reverse("answers:compensation_pending"))


@transaction.atomic
def compensation_grant(
    *, complaint: Complaint, actor: User, option: CompensationOption, value: Decimal, method: str,
    due_date: date, note: str = "",
) -> CompensationGrant:
    """Grant `option` worth `value`: at once within the actor's limit, else waiting for a QMS head."""
    access_write(actor, complaint, COMPENSATION)
    allowance = allowance_for(actor, option)
    if allowance is None:
        raise AccessDenied(_("Your role may not grant “%(option)s”.") % {"option": option.name})
    errors = {}
    if value is None or value <= 0:
        errors["value"] = _("Give the value of the compensation, more than zero.")
    if not method.strip():
        errors["method"] = _("Say how the customer gets it (e.g. bank transfer, handed over in the shop).")
    if due_date is None or due_date < timezone.localdate():
        errors["due_date"] = _("The date it is given by cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    within = allowance.covers(value)
    grant = CompensationGrant.objects.create(
        complaint=complaint, option=option, value=value, method=method.strip(), due_date=due_date,
        note=note.strip(), granted_by=actor,
        status=GrantStatus.APPROVED if within else GrantStatus.PENDING,
    )
    if within:
        event_compensation(complaint, actor, event_texts.GRANTED, _params(grant))
        return grant
    limit = allowance.limit
    event_compensation(complaint, actor, event_texts.PENDING, {**_params(grant), "limit": str(limit)})
    heads = [head for head in qms_heads() if head.pk != actor.pk]
    context = {
        "option": option.name, "value": str(value), "currency": currency(), "by": str(actor),
        "limit": str(limit), "pending_url": pending_url(),
    }
    transaction.on_commit(lambda: notify_users(
        heads, complaint, template="answers/mail/compensation_pending.txt", kind="compensation_pending",
        key=f"compensation_pending:{grant.pk}", **context,
    ))
    return grant


def _decide(grant: CompensationGrant, actor: User, status: str, reason: str) -> CompensationGrant:
    if not has_relation(actor, grant.complaint, QMS):
        raise AccessDenied(_("Only the head of the QMS approves or refuses compensation above the limit."))
    locked = CompensationGrant.objects.select_for_update().get(pk=grant.pk)
    if locked.status != GrantStatus.PENDING:
        raise TransitionNotAllowed(_("This compensation was decided already: %(status)s.") % {
            "status": locked.get_status_display(),
        })
    grant.status, grant.decided_by, grant.decided_at, grant.decision_reason = status, actor, timezone.now(), reason
    grant.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    code = event_texts.APPROVED if status == GrantStatus.APPROVED else event_texts.REFUSED
    event_compensation(grant.complaint, actor, code, {**_params(grant), "reason": reason})
    granter = grant.granted_by
    if granter.is_active and granter.pk != actor.pk:
        context = {
            "option": grant.option.name, "value": str(grant.value), "currency": currency(), "by": str(actor),
            "approved": status == GrantStatus.APPROVED, "reason": reason,
        }
        transaction.on_commit(lambda: notify_users(
            [granter], grant.complaint, template="answers/mail/compensation_decided.txt",
            kind="compensation_decided", key=f"compensation_decided:{grant.pk}", **context,
        ))
    return grant


@transaction.atomic
def compensation_approve(*, grant: CompensationGrant, actor: User) -> CompensationGrant:
    return _decide(grant, actor, GrantStatus.APPROVED, "")


@transaction.atomic
def compensation_refuse(*, grant: CompensationGrant, actor: User, reason: str) -> CompensationGrant:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the compensation is refused: the granter reads it.")})
    return _decide(grant, actor, GrantStatus.REFUSED, reason.strip())


def card_grants(complaint: Complaint) -> QuerySet[CompensationGrant]:
    return complaint.compensations.select_related("option", "granted_by", "decided_by")


def approved_grants(complaint: Complaint) -> QuerySet[CompensationGrant]:
    """What the card gives the customer: the letter's compensation element names these."""
    return card_grants(complaint).filter(status=GrantStatus.APPROVED)


def pending_grants() -> QuerySet[CompensationGrant]:
    """Every grant waiting for a QMS head, the oldest first."""
    return CompensationGrant.objects.filter(status=GrantStatus.PENDING).select_related(
        "complaint", "option", "granted_by",
    ).order_by("granted_at", "pk")


def pending_problems(letter: Letter) -> list[Problem]:
    """Send check: the letter names the compensation, so none may still wait for approval."""
    if not letter.complaint.compensations.filter(status=GrantStatus.PENDING).exists():
        return []
    return [Problem(
        code="compensation:pending",
        message=_("A compensation on this card waits for the approval of the head of the QMS."),
        url=PANEL_URL,
    )]


def register() -> None:
    register_send_check("compensation", pending_problems)


# The statutory penalty ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Penalty:
    """1 % of the price per day a consumer-law term was missed; `price` and `amount` are None while
    the card has no price of the goods."""

    preset: str
    clock_kind: str
    due_at: datetime
    until: datetime  # when the delay ended (the clock met or stopped), or now
    running: bool  # the delay still grows
    days: int
    price: Decimal | None
    amount: Decimal | None

    @property
    def preset_label(self) -> str:
        return str(Preset(self.preset).label)

    @property
    def rate_percent(self) -> int:
        return int(PENALTY_RATE * 100)


def delay_days(due_at: datetime, until: datetime) -> int:
    """Each day begun after the term counts (art. 23: "for each day of delay")."""
    return max(0, math.ceil((until - due_at) / timedelta(days=1)))


def penalty_amount(price: Decimal, days: int) -> Decimal:
    return (price * PENALTY_RATE * days).quantize(CENT, rounding=ROUND_HALF_UP)


def statutory_penalty(complaint: Complaint, now: datetime | None = None) -> Penalty | None:
    """The penalty of the most-delayed consumer-law clock of the card, or None when none was missed."""
    now = now or timezone.now()
    worst = None
    for deadline in card_clocks(complaint, now):
        clock = deadline.clock
        if clock is None or clock.kind not in STATUTORY_CLOCKS or clock.preset not in CONSUMER_PRESETS:
            continue
        running = deadline.status == ClockStatus.BREACHED
        until = clock.met_at or clock.stopped_at or clock.paused_at or now
        days = delay_days(clock.due_at, until)
        if days and (worst is None or days > worst[2]):
            worst = (clock, until, days, running)
    if worst is None:
        return None
    clock, until, days, running = worst
    stored = GoodsPrice.objects.filter(complaint=complaint).values_list("price", flat=True).first()
    return Penalty(
        preset=clock.preset, clock_kind=clock.kind, due_at=clock.due_at, until=until, running=running,
        days=days, price=stored, amount=penalty_amount(stored, days) if stored is not None else None,
    )


def penalty_option() -> CompensationOption | None:
    return CompensationOption.objects.filter(kind=CompensationKind.PENALTY, is_active=True).first()


@transaction.atomic
def goods_price_set(*, complaint: Complaint, actor: User, price: Decimal) -> GoodsPrice:
    """The price of the goods the claim is about, the base of the statutory penalty."""
    access_write(actor, complaint, COMPENSATION)
    if price is None or price <= 0:
        raise ValidationError({"price": _("Give the price the customer paid for the goods, more than zero.")})
    stored, _created = GoodsPrice.objects.update_or_create(
        complaint=complaint, defaults={"price": price, "set_by": actor},
    )
    event_compensation(complaint, actor, event_texts.PRICE, {"price": str(price), "currency": currency()})
    return stored


# Reports ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantedFigure:
    option: str
    count: int
    value: Decimal


def given_between(starts: datetime, ends: datetime) -> QuerySet[CompensationGrant]:
    """Compensation given in [starts, ends): granted within a limit then, or approved then."""
    # Within a limit: counted when granted; approved above it: when approved.
    given_then = (
        Q(decided_at__isnull=True, granted_at__gte=starts, granted_at__lt=ends)
        | Q(decided_at__gte=starts, decided_at__lt=ends)
    )
    return CompensationGrant.objects.filter(given_then, status=GrantStatus.APPROVED)


def compensation_granted(starts: datetime, ends: datetime) -> list[GrantedFigure]:
    """Compensation given in [starts, ends), by option."""
    rows = given_between(starts, ends).values(
        "option__name",
    ).annotate(count=Count("pk"), value=Sum("value")).order_by("option__name")
    return [GrantedFigure(row["option__name"], row["count"], row["value"]) for row in rows]
