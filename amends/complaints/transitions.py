"""The complaint lifecycle (DOMAIN.md §4) as one table; the only code that assigns `state`.

Each transition names the states it starts from, the state it leads to, who may take it
(by their relation to the card, see access.py), the data it asks for (inputs.py) and a function
that checks and records that data. The UI's buttons and forms, the API and the checks are all
derived from TRANSITIONS.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import User
from amends.accounts.roles import Role

from .access import EVERY_CARD, EXECUTOR, OPERATOR, QMS, RELATIONS, RESPONSIBLE, relations
from .choices import OPEN_STATES, Importance, Justification, Loyalty, State
from .inputs import (
    BOOL,
    CHOICE,
    INT,
    MODEL,
    TEXT,
    Input,
    category_choices_queryset,
    responsible_label,
    responsible_people,
)
from .models import Cause, Complaint

# The step's own checks and writes: the card, the data it was given, who takes it (None: the system).
Apply = Callable[[Complaint, dict[str, Any], User | None], None]
Guard = Callable[[Complaint], "str | Promise | None"]


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    sources: frozenset[str]
    target: str
    performers: frozenset[str]  # relations to the card (access.py) that may take it
    apply: Apply
    guard: Guard | None = None
    # Data the transition asks for; the web form and the API build their fields from these.
    inputs: tuple[Input, ...] = ()
    requires_comment: bool = False
    danger: bool = False

    def blocked_reason(self, complaint: Complaint) -> "str | Promise | None":
        if complaint.state not in self.sources:
            return _("This action is not possible in the state “%(state)s”.") % {
                "state": complaint.get_state_display()
            }
        return self.guard(complaint) if self.guard else None


# What the steps ask for.
RESPONSIBLE_PERSON = Input(
    "responsible", MODEL, _("Responsible person"), required=True,
    # The API takes any user's ID so that _apply_assign can say why that user will not do.
    queryset=lambda: User.objects.filter(is_active=True),
    offered=responsible_people, option_label=responsible_label,
)
JUSTIFICATION = Input("justification", CHOICE, _("Justification"), required=True, choices=Justification, radio=True)
CAUSE = Input("cause", MODEL, _("Cause"), required=True, queryset=lambda: Cause.objects.filter(is_active=True))
OPINION = Input("opinion", TEXT, _("Your opinion on the causes"), required=True, rows=3)
CATEGORY = Input(
    "category", MODEL, _("Category"), queryset=category_choices_queryset,
    initial=lambda complaint: complaint.category_id,
)
IMPORTANCE = Input("importance", CHOICE, _("Importance"), choices=Importance)
ACTIONS_TAKEN = Input("actions_taken", TEXT, _("Actions taken"), rows=3)
ANSWER_TEXT = Input("answer_text", TEXT, _("Answer given to the customer"), required=True, rows=5)
SATISFACTION = Input(
    "satisfaction", INT, _("Satisfaction with the resolution (1-10)"), min_value=1, max_value=10,
)
LOYALTY = Input("loyalty", CHOICE, _("Loyalty"), choices=Loyalty)
CUSTOMER_UNREACHABLE = Input("customer_unreachable", BOOL, _("The customer could not be reached"))
UNREACHABLE_NOTE = Input("unreachable_note", TEXT, _("How we tried to reach them"), rows=2)
TIME_SPENT = Input("time_spent_minutes", INT, _("Time spent, minutes"), min_value=0)
ORIGINAL_NUMBER = Input(
    "original_number", TEXT, _("Number of the original complaint"), required=True, max_length=20,
)


def _required(data: dict[str, Any], name: str, message: Promise) -> Any:
    value = data.get(name)
    if isinstance(value, str):
        value = value.strip()
    if value in (None, "", [], ()):
        raise ValidationError({name: message})
    return value


def _apply_assign(complaint: Complaint, data: dict[str, Any], actor: User | None) -> None:
    responsible = _required(data, "responsible", _("Choose the responsible person."))
    if not responsible.is_active or not responsible.has_role(Role.RESPONSIBLE, Role.QMS_HEAD):
        raise ValidationError(
            {"responsible": _("%(user)s is not a responsible person.") % {"user": responsible}}
        )
    complaint.responsible = responsible


def _apply_investigate(complaint: Complaint, data: dict[str, Any], actor: User | None) -> None:
    """Nothing to record: the responsible person takes the card into work."""


def _apply_decide(complaint: Complaint, data: dict[str, Any], actor: User | None) -> None:
    errors: dict[str, str | Promise] = {}
    justification = data.get("justification")
    if not JUSTIFICATION.accepts(justification):
        errors["justification"] = _("Decide whether the complaint is justified.")
    opinion = (data.get("opinion") or "").strip()
    if not opinion:
        errors["opinion"] = _("Write your opinion on the causes.")
    cause = data.get("cause")
    if not CAUSE.accepts(cause):
        errors["cause"] = _("Choose the cause of the complaint.")
    if data.get("importance") and not IMPORTANCE.accepts(data["importance"]):
        errors["importance"] = _(
            "Select a valid choice. %(value)s is not one of the available choices."
        ) % {"value": data["importance"]}
    if errors:
        raise ValidationError(errors)
    assert justification is not None  # JUSTIFICATION accepted it: one of the choices
    complaint.justification = justification
    complaint.opinion = opinion
    complaint.opinion_date = timezone.localdate()
    complaint.cause = cause
    for optional in ("category", "importance"):
        if data.get(optional):
            setattr(complaint, optional, data[optional])


def _justified(complaint: Complaint) -> str | Promise | None:
    if complaint.justification not in (Justification.JUSTIFIED, Justification.PARTLY):
        return _("Measures are planned only for a justified or partly justified complaint.")
    return None


def _unjustified_or_resolved(complaint: Complaint) -> str | Promise | None:
    if complaint.state == State.DECIDED and complaint.justification != Justification.UNJUSTIFIED:
        return _("A justified complaint is answered after its measures are carried out.")
    return None


def _apply_plan(complaint: Complaint, data: dict[str, Any], actor: User | None) -> None:
    # Measures done before a reopening are history; the new plan needs work still to do.
    if not complaint.measures.filter(done_at__isnull=True).exists():
        raise ValidationError(_("Add at least one measure with an executor and a due date."))


def _apply_approve(complaint: Complaint, data: dict[str, Any], actor: User | None) -> None:
    complaint.measures.filter(approved_at__isnull=True).update(
        approved_by=actor, approved_at=timezone.now()
    )


def _apply_return_plan(complaint: Complaint, data: dict[str, Any], actor: User | None) -> None:
    complaint.measures.update(approved_by=None, approved_at=None)


def _all_measures_reported(complaint: Complaint) -> str | Promise | None:
    pending = complaint.measures.filter(done_at__isnull=True).count()
    if pending:
        return _("%(count)d measure(s) have no executor's report yet.") % {"count": pending}
    return None


def _apply_complete(complaint: Complaint, data: dict[str, Any], actor: User | None) -> None:
    if data.get("actions_taken"):
        complaint.actions_taken = data["actions_taken"].strip()


def _apply_answer(complaint: Complaint, data: dict[str, Any], actor: User | None) -> None:
    complaint.answer_text = _required(data, "answer_text", _("Write the answer given to the customer."))
    complaint.answered_at = timezone.now()


def _apply_close(complaint: Complaint, data: dict[str, Any], actor: User | None) -> None:
    if data.get("customer_unreachable"):
        note = _required(
            data, "unreachable_note", _("Say how you tried to reach the customer.")
        )
        complaint.customer_unreachable = True
        complaint.unreachable_note = note
        # Scores recorded before a reopening belong to the earlier resolution.
        complaint.satisfaction = None
        complaint.loyalty = ""
    else:
        errors: dict[str, str | Promise] = {}
        satisfaction = data.get("satisfaction")
        if not SATISFACTION.accepts(satisfaction):
            errors["satisfaction"] = _("Record the customer's satisfaction from 1 to 10.")
        if not LOYALTY.accepts(data.get("loyalty")):
            errors["loyalty"] = _("Record the customer's loyalty.")
        if errors:
            raise ValidationError(errors)
        complaint.satisfaction = satisfaction
        complaint.loyalty = data["loyalty"]
        complaint.customer_unreachable = False
        complaint.unreachable_note = ""
    if data.get("time_spent_minutes"):
        complaint.time_spent_minutes = data["time_spent_minutes"]
    complaint.closed_at = timezone.now()


def _apply_reopen(complaint: Complaint, data: dict[str, Any], actor: User | None) -> None:
    """The earlier answer and outcome stay on the timeline; the card needs new ones."""
    complaint.answer_text = ""
    complaint.answered_at = None
    complaint.satisfaction = None
    complaint.loyalty = ""
    complaint.customer_unreachable = False
    complaint.unreachable_note = ""
    complaint.closed_at = None
    # Reopening is one of the two answers to the customer's message after the answer.
    complaint.message_after_answer_at = None
    complaint.message_after_answer = None
    # The signatures were given to the closed record; the timeline keeps them.
    complaint.sign_offs.all().delete()


def _customer_wrote_after_answer(complaint: Complaint) -> str | Promise | None:
    if complaint.message_after_answer_at is None:
        return _("The customer has not written since the answer.")
    return None


def _no_message_after_answer(complaint: Complaint) -> str | Promise | None:
    # One reopening button: while the customer's message waits, it is "reopen for the message".
    if complaint.message_after_answer_at is not None:
        return _("The customer wrote after the answer: reopen for their message.")
    return None


def _apply_mark_duplicate(complaint: Complaint, data: dict[str, Any], actor: User | None) -> None:
    number = _required(data, "original_number", _("Give the number of the original complaint."))
    original = Complaint.objects.filter(number=number).first()
    if original is None:
        raise ValidationError({"original_number": _("There is no complaint %(number)s.") % {"number": number}})
    # Link to the root so that chains of duplicates all point at one original.
    root, seen = original, {original.pk}
    while root.duplicate_of_id is not None and root.duplicate_of_id not in seen:
        seen.add(root.duplicate_of_id)
        parent = root.duplicate_of
        assert parent is not None  # its duplicate_of_id is set
        root = parent
    if root.pk == complaint.pk:
        raise ValidationError({"original_number": _("A complaint cannot duplicate itself.")})
    complaint.duplicate_of = root


def _apply_unmark_duplicate(complaint: Complaint, data: dict[str, Any], actor: User | None) -> None:
    """Wrongly marked: the card is a complaint of its own again, back where the QMS head assigns it.
    The timeline keeps which card it was linked to, and the reason is the transition's comment."""
    complaint.duplicate_of = None


def _apply_withdraw(complaint: Complaint, data: dict[str, Any], actor: User | None) -> None:
    """The reason is the transition's comment."""


S = State
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "assign", _("Assign responsible"), frozenset({S.REGISTERED, S.ASSIGNED}), S.ASSIGNED,
            frozenset({QMS}), _apply_assign, inputs=(RESPONSIBLE_PERSON,),
        ),
        Transition(
            "investigate", _("Start investigation"), frozenset({S.ASSIGNED}), S.INVESTIGATING,
            frozenset({RESPONSIBLE, QMS}), _apply_investigate,
        ),
        Transition(
            "decide", _("Record decision"), frozenset({S.INVESTIGATING}), S.DECIDED,
            frozenset({RESPONSIBLE, QMS}), _apply_decide,
            inputs=(JUSTIFICATION, CAUSE, OPINION, CATEGORY, IMPORTANCE),
        ),
        Transition(
            "plan", _("Submit measures for approval"), frozenset({S.DECIDED}), S.MEASURES_PLANNED,
            frozenset({RESPONSIBLE, QMS}), _apply_plan, guard=_justified,
        ),
        Transition(
            "approve", _("Approve measures"), frozenset({S.MEASURES_PLANNED}), S.IN_PROGRESS,
            frozenset({QMS}), _apply_approve,
        ),
        Transition(
            "return_plan", _("Return the plan"), frozenset({S.MEASURES_PLANNED}), S.DECIDED,
            frozenset({QMS}), _apply_return_plan, requires_comment=True, danger=True,
        ),
        Transition(
            "complete", _("Complete measures"), frozenset({S.IN_PROGRESS}), S.RESOLVED,
            frozenset({EXECUTOR, RESPONSIBLE, QMS}), _apply_complete, guard=_all_measures_reported,
            inputs=(ACTIONS_TAKEN,),
        ),
        Transition(
            "answer", _("Record the answer to the customer"),
            frozenset({S.DECIDED, S.RESOLVED}), S.ANSWERED,
            frozenset({RESPONSIBLE, QMS}), _apply_answer, guard=_unjustified_or_resolved,
            inputs=(ANSWER_TEXT,),
        ),
        Transition(
            "close", _("Close"), frozenset({S.ANSWERED}), S.CLOSED,
            frozenset({RESPONSIBLE, QMS}), _apply_close,
            inputs=(SATISFACTION, LOYALTY, CUSTOMER_UNREACHABLE, UNREACHABLE_NOTE, TIME_SPENT),
        ),
        Transition(
            "reopen", _("Reopen"), frozenset({S.ANSWERED, S.CLOSED}), S.INVESTIGATING,
            frozenset({QMS}), _apply_reopen, guard=_no_message_after_answer, requires_comment=True, danger=True,
        ),
        # The customer wrote after the answer: the responsible person may reopen too (DOMAIN.md §4).
        Transition(
            "reopen_for_message", _("Reopen for the customer's message"), frozenset({S.ANSWERED, S.CLOSED}),
            S.INVESTIGATING, frozenset({RESPONSIBLE, QMS}), _apply_reopen, guard=_customer_wrote_after_answer,
            requires_comment=True,
        ),
        Transition(
            "mark_duplicate", _("Mark as duplicate"), OPEN_STATES, S.DUPLICATE,
            frozenset({OPERATOR, RESPONSIBLE, QMS}), _apply_mark_duplicate,
            inputs=(ORIGINAL_NUMBER,), danger=True,
        ),
        Transition(
            "unmark_duplicate", _("Unmark the duplicate"), frozenset({S.DUPLICATE}), S.REGISTERED,
            frozenset({QMS}), _apply_unmark_duplicate, requires_comment=True,
        ),
        Transition(
            "withdraw", _("Withdraw"), frozenset({S.REGISTERED, S.ASSIGNED, S.INVESTIGATING}),
            S.WITHDRAWN, frozenset({QMS}), _apply_withdraw, requires_comment=True, danger=True,
        ),
    ]
}


# The steps that take an answered or closed card back into work.
REOPENINGS = frozenset({"reopen", "reopen_for_message"})


def available_transitions(user: User, complaint: Complaint) -> list[Transition]:
    """The transitions this user may take on this card now: the buttons the card shows."""
    mine = relations(user, complaint)
    # The state first: blocked_reason words why a step is refused, which the card's buttons never show.
    return [
        t for t in TRANSITIONS.values()
        if t.performers & mine and complaint.state in t.sources and t.blocked_reason(complaint) is None
    ]


def may_take_on_every_card(user: User, name: str) -> bool:
    """Whether the user's role alone grants this step on every card (the head of the QMS assigns):
    what pages about many cards at once offer, each card's step still checking its own."""
    performers = TRANSITIONS[name].performers
    return any(r.key in performers and r.link is EVERY_CARD and r.open_to(user) for r in RELATIONS)


def transition_inputs() -> dict[str, Input]:
    """Every step's inputs by name, in the table's order. A name means one datum in every step:
    the API has one field per name."""
    found: dict[str, Input] = {}
    for transition in TRANSITIONS.values():
        for spec in transition.inputs:
            if found.setdefault(spec.name, spec) is not spec:
                raise ImproperlyConfigured(f"Two inputs are called {spec.name!r}.")
    return found
