"""`load_demo`: the demo company, its customers and about 300 complaints with real timelines.

Every complaint goes through the services (complaint_register, complaint_transition, measure_add,
measure_report, complaint_update, complaint_add_note, complaint_log_call), one step after another,
as the people of the demo company would have taken them: a written complaint is first answered by a
call back, logged as a call, as the first-response deadline expects. The services stamp what they
write with the time they run at; after each step the demo moves those stamps back to the moment the
step was planned for, so that each timeline event, clock and measure carries the time it would have
happened. A fixed seed gives the same demo on every run; dates are relative to `now`.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Replace
from django.utils import timezone

from amends.accounts.models import Department, User
from amends.complaints.choices import Channel, EventKind, Origin, State
from amends.complaints.event_texts import MEASURE_PLANNED
from amends.complaints.models import Category, Cause, Complaint, Measure, TimelineEvent
from amends.complaints.services import (
    complaint_add_note,
    complaint_log_call,
    complaint_register,
    complaint_transition,
    complaint_update,
    measure_add,
    measure_report,
)
from amends.core.dates import date_text
from amends.deadlines.models import Clock
from amends.deadlines.policies import policy_table
from amends.deadlines.services import THRESHOLD_FIELDS, schedule
from amends.duplicates.models import DuplicateCandidate, TextSignature
from amends.duplicates.services import duplicates_check
from amends.notifications.receivers import lifecycle_notifications_muted
from amends.triage.models import Flag, Suggestion

from .analysis import analysis_story
from .answers import STEPS as ANSWER_STEPS
from .answers import (
    answer_step,
    answer_steps,
    answers_backdate,
    answers_plan,
    letterhead_create,
    notifications_backdate,
)
from .capa import CapaStory, battery_specs
from .company import create_catalogue, create_customers, create_departments, create_users
from .plan import Spec, plan_complaints
from .steps import Step, card_steps, schedule_steps
from .surveys import surveys_story
from .texts import PHRASES, USERS

SEED = 20240917
DEPARTMENT_EXECUTOR = {
    "service": "executor", "delivery": "executor2", "production": "executor3",
    "sales": "executor4", "accounting": "executor5", "contact": "executor6",
}
# What the services stamp with the time they run at: model, the field leading to the card, fields.
STAMPS = [
    (Complaint, "pk", ("created_at", "updated_at", "answered_at", "closed_at")),
    (TimelineEvent, "complaint", ("created_at",)),
    (Measure, "complaint", ("created_at", "updated_at", "approved_at", "done_at")),
    (Clock, "complaint", ("created_at", "started_at", "met_at", "stopped_at")),
    (TextSignature, "complaint", ("updated_at",)),
    (DuplicateCandidate, "complaint", ("created_at",)),
    (Suggestion, "complaint", ("created_at", "decided_at")),
    (Flag, "complaint", ("created_at",)),
]


@dataclass
class DemoResult:
    seconds: float
    users: int
    departments: int
    organisations: int
    contacts: int
    complaints: int
    events: int
    measures: int
    states: dict[str, int]
    channels: dict[str, int]
    capa: str = ""
    analysis: str = ""
    surveys: str = ""

    def summary(self) -> str:
        states = ", ".join(f"{name} {count}" for name, count in self.states.items())
        channels = ", ".join(f"{name} {count}" for name, count in self.channels.items())
        return (
            f"Demo loaded in {self.seconds:.1f} s: {self.users} users, {self.departments} "
            f"departments, {self.organisations} organisations, {self.contacts} contacts, "
            f"{self.complaints} complaints, {self.events} timeline events, {self.measures} "
            f"measures.\n  states: {states}\n  channels: {channels}\n  CAPA: {self.capa}\n  analysis: {self.analysis}"
            f"\n  surveys: {self.surveys}"
        )


def _due_date(moment: datetime, args: dict[str, Any]) -> date:
    return timezone.localdate(moment) + timedelta(days=args["days"])


def opinion_date_set(complaint: Complaint, day: date, since: datetime) -> None:
    """The opinion is dated the day it was formulated, on the card and in the timeline's change."""
    written = complaint.opinion_date  # the day the decision was recorded on
    if written is None:
        raise ValueError(f"{complaint.number} was decided without an opinion date.")
    Complaint.objects.filter(pk=complaint.pk).update(opinion_date=day)
    TimelineEvent.objects.filter(
        complaint_id=complaint.pk, field="opinion_date", created_at__gte=since,
    ).update(new_value=Replace(F("new_value"), Value(written.isoformat()), Value(day.isoformat())))


def measure_due_date_set(measure: Measure, due: date, since: datetime) -> None:
    """A measure planned in the past was due a few days after; measure_add takes no date before
    today, so the demo sets it after, in the timeline's words too."""
    if measure.due_date == due:
        return
    Measure.objects.filter(pk=measure.pk).update(due_date=due)
    planned = TimelineEvent.objects.filter(
        complaint_id=measure.complaint_id, kind=EventKind.MEASURE, code=MEASURE_PLANNED, created_at__gte=since,
        params__due=measure.due_date.isoformat(),
    )
    for event in planned:
        TimelineEvent.objects.filter(pk=event.pk).update(
            text=event.text.replace(date_text(measure.due_date), date_text(due)),
            params={**(event.params or {}), "due": due.isoformat()},
        )
    measure.due_date = due


def _column(model: type[models.Model], name: str) -> str:
    """The database column of a model's concrete field ("pk": its primary key)."""
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise ValueError(f"{model.__name__}.{name} has no column.")
    return field.column


def _backdate_sql(model: type[models.Model], key: str, fields: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    columns = [quote(_column(model, name)) for name in fields]
    assignments = ", ".join(f"{column} = CASE WHEN {column} >= %s THEN %s ELSE {column} END" for column in columns)
    written = " OR ".join(f"{column} >= %s" for column in columns)
    key_column = quote(_column(model, key))
    return f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {key_column} = %s AND ({written})"


def backdate(complaint_id: int, since: datetime, moment: datetime) -> None:
    """Move every stamp written for this card since `since` (the start of a step: all earlier stamps
    are already in the past) to `moment`. The timeline is append-only for people; the demo writes its
    own history here. In SQL: it runs after each of some 3,000 steps, and the ORM took longer to
    compile these updates than the services took to run the steps."""
    since_value = connection.ops.adapt_datetimefield_value(since)
    moment_value = connection.ops.adapt_datetimefield_value(moment)
    with connection.cursor() as cursor:
        for model, key, fields in STAMPS:
            count = len(fields)
            cursor.execute(
                _backdate_sql(model, key, fields),
                [since_value, moment_value] * count + [complaint_id] + [since_value] * count,
            )


def clocks_restarted(complaint_id: int, since: datetime, moment: datetime) -> None:
    """A clock the step started (a reopening's new decision clock) runs from `moment`."""
    table = policy_table()
    for clock in Clock.objects.filter(complaint_id=complaint_id, started_at__gte=since):
        clock.started_at = moment
        schedule(clock, table)
        clock.save(update_fields=["started_at", *THRESHOLD_FIELDS.values()])


class _Run:
    """One card's steps, each through the services, then moved back to its moment."""

    def __init__(self, spec: Spec, users: dict[str, User], causes: dict[str, Cause],
                 categories: dict[str, Category], departments: dict[str, Department]) -> None:
        self.spec, self.users, self.causes = spec, users, causes
        self.by_pk = {user.pk: user for user in users.values()}
        self.categories, self.departments = categories, departments
        self.complaint: Complaint | None = None
        self.measures: list[Measure] = []

    @property
    def card(self) -> Complaint:
        """The card, once its first step has registered it."""
        if self.complaint is None:
            raise RuntimeError(f"The card of {self.spec.received_at} is not registered yet.")
        return self.complaint

    @property
    def responsible(self) -> User:
        responsible_id = self.card.responsible_id
        return self.by_pk[responsible_id] if responsible_id else self.users["qms"]

    def transition(self, name: str, actor: User, data: dict[str, Any] | None = None, comment: str = "") -> None:
        self.complaint = complaint_transition(
            complaint=self.card, name=name, actor=actor, data=data, comment=comment,
        )

    def take(self, step: Step, moment: datetime) -> None:
        since = timezone.now()
        self.perform(step, moment)
        if step.name == "decide":
            opinion_date_set(self.card, timezone.localdate(moment), since)
        elif step.name == "add_measure":
            measure_due_date_set(self.measures[-1], _due_date(moment, step.args), since)
        elif step.name == "reopen":
            clocks_restarted(self.card.pk, since, moment)
        backdate(self.card.pk, since, moment)
        if step.name in ANSWER_STEPS:
            answers_backdate(self.card.pk, since, moment)

    def perform(self, step: Step, moment: datetime) -> None:
        spec, users, args = self.spec, self.users, step.args
        match step.name:
            case "register":
                employee = ""
                if spec.employee is not None:
                    person, role = spec.employee
                    employee = f"{person.first_last}, {role}"
                customer = spec.customer
                # The search runs here, as each card is registered, not after the batch's commit: each
                # card is compared with the cards registered before it, as on a real operator's screen.
                complaint = complaint_register(
                    actor=users[spec.registrar], channel=spec.channel, wording=spec.wording, duplicates="caller",
                    received_at=spec.received_at,
                    origin=Origin.INTERNAL if spec.channel == Channel.INTERNAL
                    else Origin.EXTERNAL,
                    contact=customer.contact, organisation=customer.organisation,
                    product=spec.product, category=self.categories[spec.category],
                    importance=spec.importance,
                    order_reference=spec.order_reference, project=spec.project,
                    employee_concerned=employee,
                    department_concerned=self.departments[spec.department],
                )
                duplicates_check(complaint=complaint)
                self.complaint = complaint
                spec.number = complaint.number
            case "assign":
                self.transition("assign", users["qms"],
                                {"responsible": users[args["responsible"]]})
            case "investigate":
                self.transition("investigate", self.responsible)
                if args.get("needs_investigation"):
                    self.complaint = complaint_update(
                        complaint=self.card, actor=self.responsible, changes={"needs_investigation": True},
                    )
            case "note":
                complaint_add_note(complaint=self.card, actor=self.responsible,
                                   text=args["text"])
            case "call":
                caller = users[args["by"]] if "by" in args else self.responsible
                complaint_log_call(complaint=self.card, actor=caller, text=args["text"])
            case "decide":
                if spec.component is not None and self.card.component_id is None:
                    self.complaint = complaint_update(
                        complaint=self.card, actor=self.responsible,
                        changes={"component": spec.component,
                                 "supplier": spec.component.supplier},
                    )
                data = dict(args, cause=self.causes[args["cause"]])
                self.transition("decide", self.responsible, data)
            case "add_measure":
                description, department, _report = args["measure"]
                executor = users[DEPARTMENT_EXECUTOR[department or spec.department]]
                self.measures.append(measure_add(
                    complaint=self.card, actor=self.responsible, description=description,
                    executor=executor, due_date=max(_due_date(moment, args), timezone.localdate()),
                ))
            case "plan":
                self.transition("plan", self.responsible)
            case "return_plan":
                self.transition("return_plan", users["qms"], comment=args["comment"])
            case "approve":
                self.transition("approve", users["qms"])
            case "report":
                measure = self.measures[args["index"]]
                measure_report(measure=measure, actor=self.by_pk[measure.executor_id],
                               report=args["text"])
            case "complete":
                actor = self.responsible
                if args["by_executor"] and self.measures:
                    actor = self.by_pk[self.measures[0].executor_id]
                self.transition("complete", actor, {"actions_taken": args["actions_taken"]})
            case "answer":
                text = args["text"].replace("{number}", self.card.number)
                self.transition("answer", self.responsible, {"answer_text": text})
            case "close":
                self.transition("close", self.responsible, dict(args))
            case "reopen":
                self.transition("reopen", users["qms"], comment=args["comment"])
            case "mark_duplicate":
                if spec.duplicate_of is None:
                    raise ValueError(f"The card of {spec.received_at} duplicates no other.")
                original = spec.duplicate_of.number
                comment = PHRASES["duplicate_comment"].format(number=original)
                self.transition("mark_duplicate", users[args["by"]], {"original_number": original}, comment)
            case "withdraw":
                self.transition("withdraw", users["qms"], comment=args["comment"])
            case name if name in ANSWER_STEPS:
                answer_step(step, self.card, self.responsible, moment)
                self.complaint = Complaint.objects.get(pk=self.card.pk)
            case _:
                raise ValueError(step.name)



def load_demo(*, now: datetime | None = None, seed: int = SEED, capa_records: bool = True) -> DemoResult:
    """Create the demo company, customers and complaints; returns what was made and how long.
    `capa_records=False` runs the CAPA checks but leaves every proposal for a person to decide."""
    started = time.perf_counter()
    if now is not None and now > timezone.now():
        raise ValueError("The demo's history ends in the past: `now` cannot be later than the clock.")
    loading = timezone.now()
    now = now or loading
    rng, calls = random.Random(seed), random.Random(seed + 1)
    with transaction.atomic():
        departments = create_departments()
        users = create_users(departments)
        products, components = create_catalogue()
        customers, organisations = create_customers(rng)
        letterhead_create()
    causes = {cause.kind: cause for cause in Cause.objects.order_by("pk")}
    categories = {c.name: c for c in Category.objects.filter(parent__isnull=False)}
    responsible_for = {dept: username for username, _r, _f, _l, _p, dept, heads in USERS if heads}
    specs = plan_complaints(rng, now, customers, products, components)
    by_letter = answers_plan(specs)
    # The battery story's cards draw from their own generators: the other cards stay as they were.
    battery = battery_specs(now, customers, products, components, seed)
    battery_ids = {id(spec) for spec in battery}
    specs = sorted(specs + battery, key=lambda spec: spec.received_at)
    story_rng, story_calls = random.Random(seed + 16), random.Random(seed + 17)
    story = CapaStory(now=now, users=users, records=capa_records)
    limit = now - timedelta(minutes=5)
    created = 0
    for chunk_start in range(0, len(specs), 50):
        # The history is the past: its notices would have been read long ago, so none is written today.
        with transaction.atomic(), lifecycle_notifications_muted():
            for spec in specs[chunk_start:chunk_start + 50]:
                story.before_card(spec.received_at)
                if id(spec) in battery_ids:
                    steps = card_steps(story_rng, spec, users, responsible_for, story_calls)
                else:
                    steps = card_steps(rng, spec, users, responsible_for, calls)
                if id(spec) in by_letter:
                    steps = answer_steps(steps, by_letter[id(spec)], spec.justification)
                run = _Run(spec, users, causes, categories, departments)
                for step, moment in zip(steps, schedule_steps(spec.received_at, steps, limit), strict=True):
                    run.take(step, moment)
                created += 1
    with transaction.atomic():
        story.finish()
    with transaction.atomic():
        surveys = surveys_story(now, users, seed)  # before the statement is approved: its surveys section counts them
    with transaction.atomic():
        analysis = analysis_story(now, users, seed)
    notifications_backdate(loading)
    complaints = Complaint.objects.filter(number__in=[s.number for s in specs])
    return DemoResult(
        seconds=time.perf_counter() - started, users=len(users), departments=len(departments),
        organisations=len(organisations), contacts=len(customers), complaints=created,
        events=TimelineEvent.objects.filter(complaint__in=complaints).count(),
        measures=Measure.objects.filter(complaint__in=complaints).count(),
        states=_ordered(Counter(complaints.values_list("state", flat=True)), State),
        channels=_ordered(Counter(complaints.values_list("channel", flat=True)), Channel),
        capa=story.summary(), analysis=analysis, surveys=surveys,
    )


def _ordered(counts: Counter[str], choices: type[models.TextChoices]) -> dict[str, int]:
    return {value: counts[value] for value in choices.values if counts[value]}
