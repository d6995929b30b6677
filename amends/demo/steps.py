"""A card's history: the steps that take it to its planned state, with their words, and when each
is taken (staff act in working hours, the contact centre from morning to evening every day)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from amends.accounts.models import User
from amends.complaints.choices import CauseKind, Channel, Importance, Justification, Loyalty, State

from .plan import Spec, weighted
from .texts import (
    COMPENSATIONS,
    FINDINGS,
    FIRST_CALLS,
    KINDS,
    MEASURES,
    NOTES,
    OPINION_DETAILS,
    OPINIONS,
    PHRASES,
    REOPEN_REASONS,
    RETURN_REASONS,
    UNJUSTIFIED_OFFERS,
    UNREACHABLE,
    WITHDRAW_REASONS,
)

# How satisfied a customer is, from low to high, with a complaint found so.
SATISFACTION: dict[str, tuple[int, int]] = {
    Justification.JUSTIFIED: (6, 10), Justification.PARTLY: (4, 9), Justification.UNJUSTIFIED: (2, 7),
}


# Who recommends us, stays without recommending, or leaves, by the satisfaction recorded at closing
# (from 8, from 5, below): about 1 in 7 closed cards would not recommend us and 1 in 20 leave, as in
# a company that keeps within the seeds' norms (DOMAIN.md §8). One draw each, whatever the weights.
LOYALTY: dict[int, dict[str, int]] = {
    8: {Loyalty.RECOMMENDS: 49, Loyalty.STAYS: 1},
    5: {Loyalty.RECOMMENDS: 22, Loyalty.STAYS: 2, Loyalty.LEAVES: 1},
    0: {Loyalty.RECOMMENDS: 1, Loyalty.STAYS: 1, Loyalty.LEAVES: 1},
}


@dataclass
class Step:
    name: str
    gap: timedelta
    staff: bool = True  # done in working hours by an employee
    contact_centre: bool = False  # done by the contact centre, every day from 8:00 to 21:00
    args: dict[str, Any] = field(default_factory=dict)


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(hours=rng.uniform(low, high))


def _measures_for(rng: random.Random, spec: Spec, count: int) -> list[list[str]]:
    kind = KINDS[spec.category]
    pool = list(MEASURES["billing"] if kind.group == "billing" else MEASURES[spec.cause])
    if spec.cause == CauseKind.STAFF and kind.group != "billing":
        pool = list(MEASURES[CauseKind.STAFF])
    chosen = rng.sample(pool, min(count, len(pool)))
    if len(chosen) < count or rng.random() < 0.2:
        chosen.append(rng.choice(COMPENSATIONS))
    return chosen


def _decide_args(rng: random.Random, spec: Spec) -> dict[str, str]:
    if spec.justification == Justification.UNJUSTIFIED:
        opinion = PHRASES["opinion_unjustified"].format(finding=spec.finding[0])
        return {"justification": spec.justification, "cause": spec.cause, "opinion": opinion}
    details = OPINION_DETAILS.get(spec.cause, OPINION_DETAILS[CauseKind.OTHER])
    supplier = spec.component.supplier if spec.component else None
    opinion = rng.choice(OPINIONS[spec.cause]).format(
        detail=rng.choice(details), batch=PHRASES["batch"].format(number=rng.randint(100, 999)),
        component=spec.component.name if spec.component else PHRASES["default_component"],
        supplier=supplier.name if supplier else PHRASES["default_supplier"],
    )
    if spec.justification == Justification.PARTLY:
        opinion += PHRASES["opinion_partly"]
    args = {"justification": spec.justification, "cause": spec.cause, "opinion": opinion}
    if rng.random() < 0.2:
        args["importance"] = rng.choice(Importance.values)
    return args


def _answer_text(rng: random.Random, spec: Spec, measures: list[list[str]],
                 responsible: User) -> str:
    person = spec.customer.person
    greeting = person.greeting if person and spec.channel != Channel.INTERNAL else PHRASES["colleagues"]
    sign = f"{responsible.get_full_name()}, {responsible.position.lower()}, {responsible.phone}"
    kind = KINDS[spec.category]
    if spec.justification == Justification.UNJUSTIFIED:
        # "{number}" stays in the text: the card has no number yet.
        return PHRASES["answer_unjustified"].format(
            greeting=greeting, number="{number}", finding=spec.finding[0], document=spec.finding[1],
            offer=rng.choice(UNJUSTIFIED_OFFERS), sign=sign,
        )
    done = " ".join(m[2] for m in measures) or PHRASES["cause_removed"]
    if spec.justification == Justification.PARTLY:
        done += PHRASES["partly_done"]
    return PHRASES["answer"].format(
        greeting=greeting, number="{number}", what=kind.what, finding=FINDINGS[spec.cause], done=done, sign=sign,
    )


# Hours from registration to the call that first answers a written complaint, as (low, high) for most
# cards and for the few answered late: e-mail and paper get 24 hours, chats 60 working minutes.
CALL_BACK: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    Channel.EMAIL: ((0.3, 6), (26, 40)), Channel.WEB_FORM: ((0.3, 6), (26, 40)),
    Channel.LETTER: ((0.5, 8), (26, 48)), Channel.FAX: ((0.3, 6), (26, 40)),
    Channel.MESSENGER: ((0.1, 0.8), (1.2, 5)), Channel.SOCIAL: ((0.1, 0.8), (1.2, 5)),
}
CALLED_BACK_LATE = 0.1


def _call_back(calls: random.Random, spec: Spec) -> Step:
    """The registrar calls the customer back: the first response to a written complaint. Drawn from
    its own generator, so that the rest of the demo is what it was before calls were logged."""
    usual, late = CALL_BACK[spec.channel]
    low, high = late if calls.random() < CALLED_BACK_LATE else usual
    return Step("call", _hours(calls, low, high), contact_centre=True,
                args={"text": calls.choice(FIRST_CALLS), "by": spec.registrar})


# A decision planned later than this after receipt needs an investigation: the responsible person
# says so when starting it, and the decision clock allows 10 days instead of 1 (DOMAIN.md §5).
QUICK_DECISION = timedelta(hours=16)
DUE_DATE_AGREED = 0.8
LONGEST_MEASURE_DAYS = 30


def card_steps(
    rng: random.Random, spec: Spec, users: dict[str, User], responsible_for: dict[str, str],
    calls: random.Random,
) -> list[Step]:
    """The steps from receipt to the card's planned state, each with its gap after the one before."""
    steps = _steps(rng, spec, users, responsible_for, calls)
    _flag_investigation(steps)
    _agree_due_dates(steps, calls)
    return steps


def _flag_investigation(steps: list[Step]) -> None:
    elapsed = timedelta()
    for step in steps:
        elapsed += step.gap
        if step.name == "decide":
            break
    else:
        return
    if elapsed > QUICK_DECISION:
        investigate = next(step for step in steps if step.name == "investigate")
        investigate.args["needs_investigation"] = True


def _agree_due_dates(steps: list[Step], added: random.Random) -> None:
    """Most measures are given the time their executor needs (a day to spare); the others are
    reported late."""
    elapsed, measures = timedelta(), []
    for step in steps:
        elapsed += step.gap
        if step.name == "add_measure":
            measures.append((elapsed, step))
        elif step.name == "report":
            added_at, planned = measures[step.args["index"]]
            needed = math.ceil((elapsed - added_at) / timedelta(days=1)) + 1
            if needed > planned.args["days"] and added.random() < DUE_DATE_AGREED:
                planned.args["days"] = min(needed, LONGEST_MEASURE_DAYS)


def _steps(
    rng: random.Random, spec: Spec, users: dict[str, User], responsible_for: dict[str, str],
    calls: random.Random,
) -> list[Step]:
    steps: list[Step] = []
    target = spec.target
    channel_delay: dict[str, tuple[float, float]] = {  # hours from receipt to registration
        Channel.PHONE: (0.02, 0.2), Channel.IN_PERSON: (0.1, 0.5), Channel.MESSENGER: (0.05, 2),
        Channel.SOCIAL: (0.1, 3), Channel.EMAIL: (0.2, 6), Channel.WEB_FORM: (0.2, 6),
        Channel.LETTER: (1, 26), Channel.FAX: (0.3, 4), Channel.INTERNAL: (0.05, 1),
    }
    steps.append(Step("register", _hours(rng, *channel_delay[spec.channel]), staff=False))
    if target == State.REGISTERED:
        return steps
    if spec.channel in CALL_BACK and target != State.DUPLICATE:
        steps.append(_call_back(calls, spec))
    early = rng.random() < 0.5
    if target == State.DUPLICATE and early:
        steps.append(Step("mark_duplicate", _hours(rng, 0.2, 6), args={"by": spec.registrar}))
        return steps
    if target == State.WITHDRAWN and early:
        steps.append(Step("withdraw", _hours(rng, 2, 30), args={"comment": rng.choice(
            WITHDRAW_REASONS)}))
        return steps
    responsible = responsible_for[spec.department]
    steps.append(Step("assign", _hours(rng, 0.3, 20), args={"responsible": responsible}))
    if target == State.ASSIGNED:
        return steps
    if target == State.DUPLICATE:
        steps.append(Step("mark_duplicate", _hours(rng, 1, 24), args={"by": responsible}))
        return steps
    steps.append(Step("investigate", _hours(rng, 0.5, 36)))
    if rng.random() < 0.4:
        kind, text = rng.choice(NOTES)
        steps.append(Step(kind, _hours(rng, 1, 24), args={"text": text}))
    if target == State.INVESTIGATING:
        return steps
    if target == State.WITHDRAWN:
        steps.append(Step("withdraw", _hours(rng, 2, 48), args={"comment": rng.choice(
            WITHDRAW_REASONS)}))
        return steps
    rounds = 2 if spec.reopen else 1
    earlier = 0  # measures of the rounds before a reopening
    for round_ in range(rounds):
        if round_ == 1:
            steps.append(Step("reopen", _hours(rng, 72, 300), args={"comment": rng.choice(
                REOPEN_REASONS)}))
            spec.justification = Justification.JUSTIFIED
        fast = spec.importance == Importance.CRITICAL
        steps.append(Step("decide", _hours(rng, 2, 30 if fast else 190),
                          args=_decide_args(rng, spec)))
        measures: list[list[str]] = []
        justified = spec.justification != Justification.UNJUSTIFIED
        if target == State.DECIDED:
            if justified and rng.random() < 0.4:
                measures = _measures_for(rng, spec, 1)
                steps.append(Step("add_measure", _hours(rng, 0.2, 3),
                                  args={"measure": measures[0], "days": rng.randint(2, 14)}))
            return steps
        if justified:
            measures = _measures_for(rng, spec, rng.choice([1, 1, 1, 2, 2, 3]))
            for measure in measures:
                steps.append(Step("add_measure", _hours(rng, 0.1, 2),
                                  args={"measure": measure, "days": rng.randint(2, 14)}))
            steps.append(Step("plan", _hours(rng, 0.1, 4)))
            if target == State.MEASURES_PLANNED:
                return steps
            if spec.return_plan:
                steps.append(Step("return_plan", _hours(rng, 1, 30),
                                  args={"comment": rng.choice(RETURN_REASONS)}))
                extra = rng.choice(COMPENSATIONS)
                measures.append(extra)
                steps.append(Step("add_measure", _hours(rng, 0.5, 20),
                                  args={"measure": extra, "days": rng.randint(2, 10)}))
                steps.append(Step("plan", _hours(rng, 0.1, 2)))
            steps.append(Step("approve", _hours(rng, 0.5, 40)))
            report_count = len(measures)
            if target == State.IN_PROGRESS:
                report_count = rng.randrange(len(measures))
            for index in range(report_count):
                steps.append(Step("report", _hours(rng, 12, 200),
                                  args={"index": earlier + index, "text": measures[index][2]}))
            if target == State.IN_PROGRESS:
                return steps
            actions = " ".join(m[2] for m in measures)
            steps.append(Step("complete", _hours(rng, 1, 24),
                              args={"actions_taken": actions, "by_executor": rng.random() < 0.6}))
            if target == State.RESOLVED:
                return steps
        steps.append(Step("answer", _hours(rng, 1, 48), args={
            "text": _answer_text(rng, spec, measures, users[responsible])}))
        if target == State.ANSWERED:
            return steps
        close: dict[str, int | str] = {"time_spent_minutes": rng.randint(15, 300)}
        if rng.random() < 0.06:
            close.update(customer_unreachable=True, unreachable_note=rng.choice(UNREACHABLE))
        else:
            low, high = SATISFACTION[spec.justification]
            satisfaction = rng.randint(low, high)
            band = max(low for low in LOYALTY if satisfaction >= low)
            loyalty = weighted(rng, LOYALTY[band])
            close.update(satisfaction=satisfaction, loyalty=loyalty)
        steps.append(Step("close", _hours(rng, 4, 140), args=close))
        earlier += len(measures)
    return steps


def _working(moment: datetime) -> datetime:
    """Move a staff action into working hours (9:00–19:00, Monday to Friday)."""
    local = timezone.localtime(moment)
    if local.hour < 9:
        local = local.replace(hour=9)
    elif local.hour >= 19:
        local = (local + timedelta(days=1)).replace(hour=9)
    while local.weekday() >= 5:
        local += timedelta(days=1)
    return local


def _contact_centre(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    if local.hour < 8:
        return local.replace(hour=8)
    if local.hour >= 21:
        return (local + timedelta(days=1)).replace(hour=8)
    return local


def schedule_steps(start: datetime, steps: list[Step], limit: datetime) -> list[datetime]:
    """When each step is taken: in working hours for the staff's, and all of them before `limit`."""
    times: list[datetime] = []
    moment = start
    for step in steps:
        moment = moment + step.gap
        if step.contact_centre:
            moment = _contact_centre(moment)
        elif step.staff:
            moment = _working(moment)
        times.append(moment)
    if times and times[-1] > limit:
        # A recent card: squeeze its history between receipt and now.
        total = sum((step.gap for step in steps), timedelta())
        factor = max(limit - start, timedelta()) / total
        times, moment = [], start
        for step in steps:
            moment = moment + step.gap * factor
            times.append(moment)
    return times


