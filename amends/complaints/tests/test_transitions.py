"""The lifecycle table (DOMAIN.md §4, §9) and every step of it taken through the service."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from amends.complaints import transitions as tr
from amends.complaints.choices import FINAL_STATES, OPEN_STATES, Importance, Justification, Loyalty
from amends.complaints.choices import State as S
from amends.complaints.models import Category, Cause, Complaint, TimelineEvent
from amends.complaints.services import complaint_add_message, complaint_transition, measure_add, measure_report
from amends.core.errors import AccessDenied, StaleObject, TransitionNotAllowed

from .conftest import db_state

QMS, RESP, EXEC, OPER = tr.QMS, tr.RESPONSIBLE, tr.EXECUTOR, tr.OPERATOR

# The lifecycle as the brief states it: name -> (sources, target, performers).
LIFECYCLE = {
    "assign": ({S.REGISTERED, S.ASSIGNED}, S.ASSIGNED, {QMS}),
    "investigate": ({S.ASSIGNED}, S.INVESTIGATING, {RESP, QMS}),
    "decide": ({S.INVESTIGATING}, S.DECIDED, {RESP, QMS}),
    "plan": ({S.DECIDED}, S.MEASURES_PLANNED, {RESP, QMS}),
    "approve": ({S.MEASURES_PLANNED}, S.IN_PROGRESS, {QMS}),
    "return_plan": ({S.MEASURES_PLANNED}, S.DECIDED, {QMS}),
    "complete": ({S.IN_PROGRESS}, S.RESOLVED, {EXEC, RESP, QMS}),
    "answer": ({S.DECIDED, S.RESOLVED}, S.ANSWERED, {RESP, QMS}),
    "close": ({S.ANSWERED}, S.CLOSED, {RESP, QMS}),
    "reopen": ({S.ANSWERED, S.CLOSED}, S.INVESTIGATING, {QMS}),
    "reopen_for_message": ({S.ANSWERED, S.CLOSED}, S.INVESTIGATING, {RESP, QMS}),
    "mark_duplicate": (
        {S.REGISTERED, S.ASSIGNED, S.INVESTIGATING, S.DECIDED, S.MEASURES_PLANNED,
         S.IN_PROGRESS, S.RESOLVED, S.ANSWERED},
        S.DUPLICATE, {OPER, RESP, QMS},
    ),
    "withdraw": ({S.REGISTERED, S.ASSIGNED, S.INVESTIGATING}, S.WITHDRAWN, {QMS}),
    # A duplicate marked by mistake is a complaint of its own again, back with the QMS head.
    "unmark_duplicate": ({S.DUPLICATE}, S.REGISTERED, {QMS}),
}


# ---------------------------------------------------------------------------------------------
# The table itself


def test_the_table_has_exactly_the_lifecycle_transitions():
    assert set(tr.TRANSITIONS) == set(LIFECYCLE)
    for name, transition in tr.TRANSITIONS.items():
        assert transition.name == name


@pytest.mark.parametrize("name", sorted(LIFECYCLE))
def test_each_transition_has_the_lifecycle_sources_target_and_performers(name):
    sources, target, performers = LIFECYCLE[name]
    transition = tr.TRANSITIONS[name]
    assert set(transition.sources) == sources
    assert transition.target == target
    assert set(transition.performers) == performers


def test_the_qms_head_takes_part_in_every_transition():
    assert all(QMS in t.performers for t in tr.TRANSITIONS.values())


def test_open_states_are_all_but_closed_duplicate_and_withdrawn():
    assert set(FINAL_STATES) == {S.CLOSED, S.DUPLICATE, S.WITHDRAWN}
    assert set(OPEN_STATES) == set(S) - set(FINAL_STATES)
    assert set(tr.TRANSITIONS["mark_duplicate"].sources) == set(OPEN_STATES)


def test_only_the_reopenings_and_unmark_duplicate_leave_a_final_state():
    leaving = {t.name for t in tr.TRANSITIONS.values() if set(t.sources) & set(FINAL_STATES)}
    assert leaving == tr.REOPENINGS | {"unmark_duplicate"}
    assert tr.REOPENINGS == {"reopen", "reopen_for_message"}
    for name in tr.REOPENINGS:
        assert set(tr.TRANSITIONS[name].sources) & set(FINAL_STATES) == {S.CLOSED}
    assert set(tr.TRANSITIONS["unmark_duplicate"].sources) == {S.DUPLICATE}


def test_a_comment_is_required_exactly_for_the_reopenings_withdraw_return_plan_and_unmark_duplicate():
    assert {t.name for t in tr.TRANSITIONS.values() if t.requires_comment} == {
        "reopen", "reopen_for_message", "withdraw", "return_plan", "unmark_duplicate",
    }


def test_every_state_is_reachable_and_every_open_state_can_be_left():
    targets = {t.target for t in tr.TRANSITIONS.values()}
    assert targets == set(S)
    for state in OPEN_STATES:
        assert any(state in t.sources for t in tr.TRANSITIONS.values()), state


# ---------------------------------------------------------------------------------------------
# Relations


@pytest.mark.parametrize(
    "user, expected",
    [
        ("operator", {OPER}),
        ("operator2", set()),
        ("responsible", {RESP}),
        ("responsible2", set()),
        ("executor", {EXEC}),
        ("executor2", set()),
        ("qms", {QMS}),
        ("manager", set()),
        ("administrator", {QMS}),
        ("nobody", set()),
    ],
)
def test_relations_of_each_user_to_a_card_in_progress(request, walk, user, expected):
    complaint = walk(None, S.IN_PROGRESS)
    assert tr.relations(request.getfixturevalue(user), complaint) == expected


def test_the_assigned_person_loses_the_relation_with_the_role(walk, responsible):
    complaint = walk(None, S.ASSIGNED)
    responsible.groups.clear()
    responsible = type(responsible).objects.get(pk=responsible.pk)
    assert tr.relations(responsible, complaint) == frozenset()


def test_a_superuser_without_groups_acts_as_qms(make_user, walk):
    root = make_user("root", is_superuser=True)
    assert tr.relations(root, walk(None, S.REGISTERED)) == {QMS}


# ---------------------------------------------------------------------------------------------
# Every allowed transition, by every kind of user allowed to take it


def _label(choices, value) -> str:
    return str(choices(value).label)


class Spec:
    """Data for one transition and the field changes it must write (field -> (old, new))."""

    def __init__(self, data=None, comment="", changes=None):
        self.data = data or {}
        self.comment = comment
        self.changes = changes or {}


def spec_for(name, complaint, ctx) -> Spec:
    if name == "assign":
        if complaint.responsible_id is None:
            return Spec({"responsible": ctx["responsible"]},
                        changes={"responsible": ("", str(ctx["responsible"]))})
        return Spec({"responsible": ctx["responsible2"]},
                    changes={"responsible": (str(ctx["responsible"]), str(ctx["responsible2"]))})
    if name == "decide":
        category = Category.objects.filter(parent__isnull=False).order_by("pk").first()
        cause = Cause.objects.order_by("-pk").first()
        return Spec(
            {"justification": Justification.PARTLY, "opinion": "  Курьер опоздал на 3 дня.  ",
             "cause": cause, "category": category, "importance": Importance.HIGH},
            changes={
                "justification": ("", _label(Justification, Justification.PARTLY)),
                "opinion": ("", "Курьер опоздал на 3 дня."),
                "opinion_date": ("", str(timezone.localdate())),
                "cause": ("", str(cause)),
                "category": ("", str(category)),
                "importance": (_label(Importance, Importance.MEDIUM),
                               _label(Importance, Importance.HIGH)),
            },
        )
    if name == "complete":
        return Spec({"actions_taken": " Заменили товар. "},
                    changes={"actions_taken": ("", "Заменили товар.")})
    if name == "answer":
        return Spec({"answer_text": " Ответ клиенту. "},
                    changes={"answer_text": (complaint.answer_text, "Ответ клиенту.")})
    if name == "close":
        return Spec(
            {"satisfaction": 8, "loyalty": Loyalty.STAYS, "time_spent_minutes": 45},
            changes={
                "satisfaction": ("", "8"),
                "loyalty": ("", _label(Loyalty, Loyalty.STAYS)),
                "time_spent_minutes": ("", "45"),
            },
        )
    if name == "mark_duplicate":
        original = ctx["original"]
        return Spec({"original_number": original.number},
                    changes={"duplicate_of": ("", original.number)})
    if name in tr.REOPENINGS:
        # The earlier answer and outcome move to the timeline; the card waits for new ones.
        changes = {"answer_text": (complaint.answer_text, "")}
        if complaint.satisfaction is not None:
            changes["satisfaction"] = (str(complaint.satisfaction), "")
            changes["loyalty"] = (complaint.get_loyalty_display(), "")
        return Spec(comment="  Причина: reopen.  ", changes=changes)
    if name in ("withdraw", "return_plan"):
        return Spec(comment=f"  Причина: {name}.  ")
    if name == "unmark_duplicate":
        original = complaint.duplicate_of
        return Spec(comment="  Другой заказ, другая поломка.  ", changes={"duplicate_of": (original.number, "")})
    return Spec()  # investigate, plan, approve


ALLOWED = [
    ("assign", S.REGISTERED, ["qms", "administrator"]),
    ("assign", S.ASSIGNED, ["qms", "administrator"]),
    ("investigate", S.ASSIGNED, ["responsible", "qms", "administrator"]),
    ("decide", S.INVESTIGATING, ["responsible", "qms", "administrator"]),
    ("plan", S.DECIDED, ["responsible", "qms", "administrator"]),
    ("approve", S.MEASURES_PLANNED, ["qms", "administrator"]),
    ("return_plan", S.MEASURES_PLANNED, ["qms", "administrator"]),
    ("complete", S.IN_PROGRESS, ["executor", "responsible", "qms", "administrator"]),
    ("answer", S.DECIDED, ["responsible", "qms", "administrator"]),  # unjustified
    ("answer", S.RESOLVED, ["responsible", "qms", "administrator"]),
    ("close", S.ANSWERED, ["responsible", "qms", "administrator"]),
    ("reopen", S.ANSWERED, ["qms", "administrator"]),
    ("reopen", S.CLOSED, ["qms", "administrator"]),
    # Once the customer wrote after the answer, the responsible person may reopen too.
    ("reopen_for_message", S.ANSWERED, ["responsible", "qms", "administrator"]),
    ("reopen_for_message", S.CLOSED, ["responsible", "qms", "administrator"]),
    ("withdraw", S.REGISTERED, ["qms", "administrator"]),
    ("withdraw", S.ASSIGNED, ["qms", "administrator"]),
    ("withdraw", S.INVESTIGATING, ["qms", "administrator"]),
    ("unmark_duplicate", S.DUPLICATE, ["qms", "administrator"]),
] + [
    ("mark_duplicate", state,
     ["operator", "qms", "administrator"] + ([] if state == S.REGISTERED else ["responsible"]))
    for state in [
        S.REGISTERED, S.ASSIGNED, S.INVESTIGATING, S.DECIDED, S.MEASURES_PLANNED,
        S.IN_PROGRESS, S.RESOLVED, S.ANSWERED,
    ]
]
ALLOWED_CASES = [
    pytest.param(name, state, actor, id=f"{name}-{state}-{actor}")
    for name, state, actors in ALLOWED for actor in actors
]


def test_allowed_cases_cover_every_source_of_every_transition():
    covered = {(name, state) for name, state, _actors in ALLOWED}
    assert covered == {(n, s) for n, (sources, _t, _p) in LIFECYCLE.items() for s in sources}


@pytest.mark.parametrize("name, source, actor_name", ALLOWED_CASES)
def test_allowed_transition(
    request, walk, register, qms, responsible, responsible2, name, source, actor_name,
):
    justification = (
        Justification.UNJUSTIFIED if (name, source) == ("answer", S.DECIDED)
        else Justification.JUSTIFIED
    )
    complaint = walk(None, source, justification=justification)
    if name == "plan":
        measure_add(
            complaint=complaint, actor=responsible, description="Заменить товар",
            executor=request.getfixturevalue("executor"),
            due_date=timezone.localdate() + timedelta(days=3),
        )
    if name == "complete":
        for measure in complaint.measures.all():
            measure_report(measure=measure, actor=measure.executor, report="Сделано.")
    if name == "reopen_for_message":
        complaint_add_message(complaint=complaint, incoming=True, text="Снова сломалось.")
    actor = request.getfixturevalue(actor_name)
    ctx = {
        "responsible": responsible, "responsible2": responsible2,
        "original": register(actor=qms, wording="Оригинал") if name == "mark_duplicate" else None,
    }
    spec = spec_for(name, complaint, ctx)
    version = complaint.version
    seen = set(complaint.events.values_list("pk", flat=True))

    result = complaint_transition(
        complaint=complaint, name=name, actor=actor, data=spec.data, comment=spec.comment,
        expected_version=version,
    )

    target = LIFECYCLE[name][1]
    assert result.state == target
    stored = Complaint.objects.get(pk=complaint.pk)
    assert stored.state == target
    assert stored.version == version + 1
    new = TimelineEvent.objects.filter(complaint=complaint).exclude(pk__in=seen)
    moves = [e for e in new if e.kind == "transition"]
    assert len(moves) == 1
    move = moves[0]
    assert (move.transition, move.from_state, move.to_state, move.actor_id, move.text) == (
        name, source, target, actor.pk, spec.comment.strip(),
    )
    changes = {e.field: (e.old_value, e.new_value) for e in new if e.kind == "field_change"}
    assert changes == spec.changes
    assert all(e.actor_id == actor.pk for e in new)
    assert {e.kind for e in new} <= {"transition", "field_change"}
    assert len(new) == 1 + len(spec.changes)


def test_approve_stamps_the_measures_with_the_approver(walk, qms):
    complaint = walk(None, S.MEASURES_PLANNED)
    complaint_transition(complaint=complaint, name="approve", actor=qms)
    measure = complaint.measures.get()
    assert measure.approved_by == qms
    assert measure.approved_at is not None


def test_return_plan_clears_the_approval_and_the_plan_can_be_approved_again(walk, qms):
    complaint = walk(None, S.IN_PROGRESS)
    # A card back in "measures planned" after an earlier approval: reopen, decide, plan again.
    complaint = walk(complaint, S.CLOSED)
    complaint_transition(complaint=complaint, name="reopen", actor=qms, comment="Клиент недоволен")
    complaint = walk(Complaint.objects.get(pk=complaint.pk), S.MEASURES_PLANNED)
    assert complaint.measures.filter(approved_by=qms).exists()
    complaint = complaint_transition(
        complaint=complaint, name="return_plan", actor=qms, comment="Мало мер",
    )
    assert complaint.state == S.DECIDED
    assert not complaint.measures.filter(approved_at__isnull=False).exists()
    assert not complaint.measures.filter(approved_by__isnull=False).exists()


def test_answer_and_close_stamp_their_times_and_reopen_clears_closed_at(walk, qms):
    complaint = walk(None, S.ANSWERED)
    assert complaint.answered_at is not None
    complaint = walk(complaint, S.CLOSED)
    assert complaint.closed_at is not None
    complaint = complaint_transition(complaint=complaint, name="reopen", actor=qms, comment="Ещё")
    assert complaint.closed_at is None
    assert Complaint.objects.get(pk=complaint.pk).closed_at is None


def test_the_whole_main_line_writes_one_transition_event_per_step(walk):
    complaint = walk(None, S.CLOSED)
    moves = list(
        complaint.events.filter(kind="transition").values_list("from_state", "to_state")
    )
    assert moves == [
        (S.REGISTERED, S.ASSIGNED), (S.ASSIGNED, S.INVESTIGATING),
        (S.INVESTIGATING, S.DECIDED), (S.DECIDED, S.MEASURES_PLANNED),
        (S.MEASURES_PLANNED, S.IN_PROGRESS), (S.IN_PROGRESS, S.RESOLVED),
        (S.RESOLVED, S.ANSWERED), (S.ANSWERED, S.CLOSED),
    ]
    assert complaint.version == 1 + len(moves)


def test_the_caller_may_pass_a_stale_object(walk, responsible):
    """The service works on the locked row, not on the object it is given."""
    complaint = walk(None, S.ASSIGNED)
    stale = Complaint.objects.get(pk=complaint.pk)
    complaint_transition(complaint=complaint, name="investigate", actor=responsible)
    with pytest.raises(TransitionNotAllowed):
        complaint_transition(complaint=stale, name="investigate", actor=responsible)


def test_stale_expected_version_is_refused_and_nothing_changes(walk, responsible):
    complaint = walk(None, S.ASSIGNED)
    before = db_state(complaint)
    with pytest.raises(StaleObject):
        complaint_transition(
            complaint=complaint, name="investigate", actor=responsible,
            expected_version=complaint.version - 1,
        )
    assert db_state(complaint) == before


def test_an_unknown_transition_is_refused(walk, qms):
    complaint = walk(None, S.REGISTERED)
    before = db_state(complaint)
    with pytest.raises(TransitionNotAllowed):
        complaint_transition(complaint=complaint, name="escalate", actor=qms)
    assert db_state(complaint) == before


# ---------------------------------------------------------------------------------------------
# Refused: wrong state (the QMS head may take every transition, so only the state is wrong)


def _valid_spec(name, ctx) -> Spec:
    return {
        "assign": Spec({"responsible": ctx["responsible"]}),
        "decide": Spec({"justification": Justification.JUSTIFIED, "opinion": "Мнение",
                        "cause": ctx["cause"]}),
        "answer": Spec({"answer_text": "Ответ"}),
        "close": Spec({"satisfaction": 7, "loyalty": Loyalty.RECOMMENDS}),
        "mark_duplicate": Spec({"original_number": ctx["original"].number}),
        "reopen": Spec(comment="Причина"),
        "withdraw": Spec(comment="Причина"),
        "return_plan": Spec(comment="Причина"),
        "unmark_duplicate": Spec(comment="Причина"),
    }.get(name, Spec())


WRONG_STATE_CASES = [
    pytest.param(name, state, id=f"{name}-from-{state}")
    for name, (sources, _target, _performers) in LIFECYCLE.items()
    for state in S if state not in sources
]


@pytest.mark.parametrize("name, state", WRONG_STATE_CASES)
def test_transition_from_a_wrong_state_is_refused(
    walk, register, qms, responsible, cause, name, state,
):
    complaint = walk(None, state)
    ctx = {"responsible": responsible, "cause": cause, "original": register(wording="Оригинал")}
    spec = _valid_spec(name, ctx)
    before = db_state(complaint)
    with pytest.raises(TransitionNotAllowed):
        complaint_transition(
            complaint=complaint, name=name, actor=qms, data=spec.data, comment=spec.comment,
        )
    assert db_state(complaint) == before


@pytest.mark.parametrize("justification", [Justification.JUSTIFIED, Justification.PARTLY])
def test_a_justified_decision_cannot_be_answered_before_the_measures(
    walk, responsible, justification,
):
    complaint = walk(None, S.DECIDED, justification=justification)
    before = db_state(complaint)
    with pytest.raises(TransitionNotAllowed):
        complaint_transition(
            complaint=complaint, name="answer", actor=responsible, data={"answer_text": "Ответ"},
        )
    assert db_state(complaint) == before


def test_measures_are_not_planned_for_an_unjustified_complaint(walk, responsible, executor):
    complaint = walk(None, S.DECIDED, justification=Justification.UNJUSTIFIED)
    before = db_state(complaint)
    with pytest.raises(TransitionNotAllowed):
        complaint_transition(complaint=complaint, name="plan", actor=responsible)
    assert db_state(complaint) == before


@pytest.mark.parametrize("justification", [Justification.JUSTIFIED, Justification.PARTLY])
def test_measures_are_planned_for_a_justified_or_partly_justified_complaint(
    walk, responsible, justification,
):
    complaint = walk(None, S.MEASURES_PLANNED, justification=justification)
    assert complaint.state == S.MEASURES_PLANNED
    assert complaint.justification == justification


# ---------------------------------------------------------------------------------------------
# Refused: the user has no right to the transition (role, or relation to this card)

WRONG_ROLE = [
    ("assign", S.REGISTERED, ["operator", "responsible", "executor", "manager", "nobody"]),
    ("assign", S.ASSIGNED, ["responsible", "responsible2", "manager"]),
    ("investigate", S.ASSIGNED, ["operator", "responsible2", "executor", "manager"]),
    ("decide", S.INVESTIGATING, ["operator", "responsible2", "executor", "manager"]),
    ("plan", S.DECIDED, ["operator", "responsible2", "executor", "manager"]),
    ("approve", S.MEASURES_PLANNED, ["responsible", "executor", "operator", "manager"]),
    ("return_plan", S.MEASURES_PLANNED, ["responsible", "executor", "manager"]),
    ("complete", S.IN_PROGRESS, ["executor2", "responsible2", "operator", "manager"]),
    ("answer", S.RESOLVED, ["executor", "operator", "responsible2", "manager"]),
    ("close", S.ANSWERED, ["executor", "operator", "responsible2", "manager"]),
    ("reopen", S.ANSWERED, ["responsible", "operator", "manager"]),
    ("reopen", S.CLOSED, ["responsible", "operator", "executor", "manager"]),
    ("mark_duplicate", S.REGISTERED, ["operator2", "responsible", "executor", "manager"]),
    ("mark_duplicate", S.IN_PROGRESS, ["operator2", "responsible2", "executor", "manager"]),
    ("withdraw", S.REGISTERED, ["operator", "responsible", "manager"]),
    ("withdraw", S.INVESTIGATING, ["operator", "responsible", "manager", "nobody"]),
]


@pytest.mark.parametrize(
    "name, state, actor_name",
    [pytest.param(n, s, a, id=f"{n}-{s}-{a}") for n, s, actors in WRONG_ROLE for a in actors],
)
def test_transition_by_a_user_without_the_right_is_refused(
    request, walk, register, responsible, cause, name, state, actor_name,
):
    complaint = walk(None, state)
    ctx = {"responsible": responsible, "cause": cause, "original": register(wording="Оригинал")}
    spec = _valid_spec(name, ctx)
    before = db_state(complaint)
    with pytest.raises(AccessDenied):
        complaint_transition(
            complaint=complaint, name=name, actor=request.getfixturevalue(actor_name),
            data=spec.data, comment=spec.comment,
        )
    assert db_state(complaint) == before


def test_an_operator_who_is_also_executor_completes_only_with_a_measure(
    make_user, walk, register,
):
    both = make_user("both", "operator", "executor")
    complaint = walk(register(actor=both), S.IN_PROGRESS)
    before = db_state(complaint)
    with pytest.raises(AccessDenied):
        complaint_transition(complaint=complaint, name="complete", actor=both)
    assert db_state(complaint) == before


# ---------------------------------------------------------------------------------------------
# Refused: required data missing or wrong


def _missing_data_cases():
    c = []

    def add(name, state, actor, data, comment="", fields=None, ident=""):
        c.append(pytest.param(name, state, actor, data, comment, fields,
                              id=f"{name}-{ident}"))

    add("assign", S.REGISTERED, "qms", {}, fields={"responsible"}, ident="none")
    add("assign", S.REGISTERED, "qms", {"responsible": "@operator"}, fields={"responsible"},
        ident="operator")
    add("assign", S.REGISTERED, "qms", {"responsible": "@executor"}, fields={"responsible"},
        ident="executor")
    add("assign", S.REGISTERED, "qms", {"responsible": "@inactive"}, fields={"responsible"},
        ident="inactive")
    add("decide", S.INVESTIGATING, "responsible", {},
        fields={"justification", "opinion", "cause"}, ident="nothing")
    add("decide", S.INVESTIGATING, "responsible",
        {"justification": Justification.JUSTIFIED, "opinion": "   ", "cause": "@cause"},
        fields={"opinion"}, ident="blank-opinion")
    add("decide", S.INVESTIGATING, "responsible",
        {"justification": "maybe", "opinion": "Мнение", "cause": "@cause"},
        fields={"justification"}, ident="bad-justification")
    add("decide", S.INVESTIGATING, "responsible",
        {"justification": Justification.JUSTIFIED, "opinion": "Мнение"},
        fields={"cause"}, ident="no-cause")
    add("decide", S.INVESTIGATING, "responsible",
        {"justification": Justification.JUSTIFIED, "opinion": "Мнение", "cause": "@cause",
         "importance": "urgent"},
        fields={"importance"}, ident="bad-importance")
    add("plan", S.DECIDED, "responsible", {}, ident="no-measures")
    add("answer", S.RESOLVED, "responsible", {}, fields={"answer_text"}, ident="no-text")
    add("answer", S.RESOLVED, "responsible", {"answer_text": "  \n "}, fields={"answer_text"},
        ident="blank-text")
    add("close", S.ANSWERED, "responsible", {}, fields={"satisfaction", "loyalty"},
        ident="nothing")
    for bad in (0, 11, -1, "9", None, 7.5, True):
        add("close", S.ANSWERED, "responsible",
            {"satisfaction": bad, "loyalty": Loyalty.RECOMMENDS}, fields={"satisfaction"},
            ident=f"satisfaction-{bad!r}")
    add("close", S.ANSWERED, "responsible", {"satisfaction": 9}, fields={"loyalty"},
        ident="no-loyalty")
    add("close", S.ANSWERED, "responsible", {"satisfaction": 9, "loyalty": "happy"},
        fields={"loyalty"}, ident="bad-loyalty")
    add("close", S.ANSWERED, "responsible", {"customer_unreachable": True},
        fields={"unreachable_note"}, ident="unreachable-no-note")
    add("close", S.ANSWERED, "responsible",
        {"customer_unreachable": True, "unreachable_note": "   "},
        fields={"unreachable_note"}, ident="unreachable-blank-note")
    for name, state in (("reopen", S.ANSWERED), ("reopen", S.CLOSED),
                        ("withdraw", S.REGISTERED), ("withdraw", S.INVESTIGATING),
                        ("return_plan", S.MEASURES_PLANNED)):
        add(name, state, "qms", {}, "", fields={"comment"}, ident=f"{state}-no-comment")
        add(name, state, "qms", {}, " \t\n", fields={"comment"}, ident=f"{state}-blank-comment")
    add("mark_duplicate", S.ASSIGNED, "responsible", {}, fields={"original_number"},
        ident="no-number")
    add("mark_duplicate", S.ASSIGNED, "responsible", {"original_number": "1999-999999"},
        fields={"original_number"}, ident="unknown-number")
    add("mark_duplicate", S.ASSIGNED, "responsible", {"original_number": "@self"},
        fields={"original_number"}, ident="itself")
    return c


@pytest.mark.parametrize("name, state, actor_name, data, comment, fields",
                         _missing_data_cases())
def test_transition_without_its_required_data_is_refused(
    request, make_user, walk, cause, name, state, actor_name, data, comment, fields,
):
    complaint = walk(None, state)
    inactive = make_user("gone", "responsible", is_active=False)
    refs = {
        "@operator": request.getfixturevalue("operator"),
        "@executor": request.getfixturevalue("executor"),
        "@inactive": inactive, "@cause": cause, "@self": complaint.number,
    }
    data = {k: refs.get(v, v) if isinstance(v, str) else v for k, v in data.items()}
    before = db_state(complaint)
    with pytest.raises(ValidationError) as caught:
        complaint_transition(
            complaint=complaint, name=name, actor=request.getfixturevalue(actor_name),
            data=data, comment=comment,
        )
    if fields:
        assert set(caught.value.message_dict) == fields
    assert db_state(complaint) == before


# ---------------------------------------------------------------------------------------------
# Guards in detail


def _add_measures(complaint, responsible, executors):
    due = timezone.localdate() + timedelta(days=5)
    return [
        measure_add(complaint=complaint, actor=responsible, description=f"Мера {i}",
                    executor=executor, due_date=due)
        for i, executor in enumerate(executors)
    ]


def test_complete_waits_for_every_measure(walk, register, qms, responsible, executor, executor2):
    complaint = walk(register(), S.DECIDED)
    first, second = _add_measures(complaint, responsible, [executor, executor2])
    complaint_transition(complaint=complaint, name="plan", actor=responsible)
    complaint_transition(complaint=complaint, name="approve", actor=qms)
    measure_report(measure=first, actor=executor, report="Готово")

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert "complete" not in [t.name for t in tr.available_transitions(executor, complaint)]
    before = db_state(complaint)
    with pytest.raises(TransitionNotAllowed, match="1"):
        complaint_transition(complaint=complaint, name="complete", actor=executor)
    assert db_state(complaint) == before

    measure_report(measure=second, actor=executor2, report="Готово")
    assert "complete" in [t.name for t in tr.available_transitions(executor, complaint)]
    # Either executor may complete the card once every measure is reported.
    done = complaint_transition(complaint=complaint, name="complete", actor=executor2)
    assert done.state == S.RESOLVED


@pytest.mark.parametrize("satisfaction", [1, 10])
def test_close_accepts_satisfaction_from_1_to_10(walk, responsible, satisfaction):
    complaint = walk(None, S.ANSWERED)
    closed = complaint_transition(
        complaint=complaint, name="close", actor=responsible,
        data={"satisfaction": satisfaction, "loyalty": Loyalty.LEAVES},
    )
    assert (closed.state, closed.satisfaction, closed.loyalty) == (
        S.CLOSED, satisfaction, Loyalty.LEAVES,
    )
    assert closed.customer_unreachable is False


def test_close_with_the_customer_unreachable_needs_only_the_note(walk, responsible):
    complaint = walk(None, S.ANSWERED)
    closed = complaint_transition(
        complaint=complaint, name="close", actor=responsible,
        data={"customer_unreachable": True, "unreachable_note": " Три звонка, письмо. "},
    )
    assert closed.state == S.CLOSED
    assert closed.customer_unreachable is True
    assert closed.unreachable_note == "Три звонка, письмо."
    assert closed.satisfaction is None and closed.loyalty == ""
    changes = dict(
        closed.events.filter(kind="field_change").values_list("field", "new_value")
    )
    assert changes["customer_unreachable"] == gettext("yes")
    assert changes["unreachable_note"] == "Три звонка, письмо."


def test_reclosing_a_reopened_card_does_not_keep_the_old_scores(walk, qms, responsible):
    """Satisfaction recorded before a reopening belongs to the old resolution."""
    complaint = walk(None, S.CLOSED)
    assert complaint.satisfaction == 9
    complaint_transition(complaint=complaint, name="reopen", actor=qms, comment="Не решено")
    complaint = walk(Complaint.objects.get(pk=complaint.pk), S.ANSWERED)
    closed = complaint_transition(
        complaint=complaint, name="close", actor=responsible,
        data={"customer_unreachable": True, "unreachable_note": "Не берёт трубку"},
    )
    assert closed.satisfaction is None
    assert closed.loyalty == ""
    complaint_transition(complaint=closed, name="reopen", actor=qms, comment="Ещё раз")
    complaint = walk(Complaint.objects.get(pk=complaint.pk), S.ANSWERED)
    closed = complaint_transition(
        complaint=complaint, name="close", actor=responsible,
        data={"satisfaction": 4, "loyalty": Loyalty.STAYS},
    )
    assert (closed.satisfaction, closed.customer_unreachable, closed.unreachable_note) == (
        4, False, "",
    )


def test_mark_duplicate_links_to_the_root_original(walk, register, qms, responsible):
    root = register(wording="Оригинал")
    first = register(wording="Копия 1")
    complaint_transition(complaint=first, name="mark_duplicate", actor=qms,
                         data={"original_number": root.number})
    second = walk(register(wording="Копия 2"), S.ASSIGNED)
    second = complaint_transition(
        complaint=second, name="mark_duplicate", actor=responsible,
        data={"original_number": f"  {first.number} "},
    )
    assert second.state == S.DUPLICATE
    assert second.duplicate_of == root
    assert set(root.duplicates.all()) == {first, second}


def test_mark_duplicate_follows_a_chain_of_originals(register, qms):
    """The original itself later turned out to be a duplicate: link to the very root."""
    a, b, x, c = (register(wording=w) for w in ("A", "B", "X", "C"))
    complaint_transition(complaint=b, name="mark_duplicate", actor=qms,
                         data={"original_number": a.number})
    complaint_transition(complaint=a, name="mark_duplicate", actor=qms,
                         data={"original_number": x.number})
    c = complaint_transition(complaint=c, name="mark_duplicate", actor=qms,
                             data={"original_number": b.number})
    assert c.duplicate_of == x


def test_mark_duplicate_refuses_to_make_a_card_its_own_original(register, qms):
    """B duplicates A; marking A a duplicate of B would link A to itself."""
    a, b = register(wording="A"), register(wording="B")
    complaint_transition(complaint=b, name="mark_duplicate", actor=qms,
                         data={"original_number": a.number})
    before = db_state(a)
    with pytest.raises(ValidationError) as caught:
        complaint_transition(complaint=a, name="mark_duplicate", actor=qms,
                             data={"original_number": b.number})
    assert set(caught.value.message_dict) == {"original_number"}
    assert db_state(a) == before


# ---------------------------------------------------------------------------------------------
# The buttons a card shows


@pytest.mark.parametrize(
    "state, justification, user, expected",
    [
        (S.REGISTERED, None, "qms", ["assign", "mark_duplicate", "withdraw"]),
        (S.REGISTERED, None, "administrator", ["assign", "mark_duplicate", "withdraw"]),
        (S.REGISTERED, None, "operator", ["mark_duplicate"]),
        (S.REGISTERED, None, "operator2", []),
        (S.REGISTERED, None, "manager", []),
        (S.REGISTERED, None, "responsible", []),
        (S.ASSIGNED, None, "responsible", ["investigate", "mark_duplicate"]),
        (S.ASSIGNED, None, "responsible2", []),
        (S.ASSIGNED, None, "qms",
         ["assign", "investigate", "mark_duplicate", "withdraw"]),
        (S.INVESTIGATING, None, "responsible", ["decide", "mark_duplicate"]),
        (S.INVESTIGATING, None, "operator", ["mark_duplicate"]),
        (S.DECIDED, Justification.JUSTIFIED, "responsible", ["plan", "mark_duplicate"]),
        (S.DECIDED, Justification.UNJUSTIFIED, "responsible", ["answer", "mark_duplicate"]),
        (S.MEASURES_PLANNED, None, "qms", ["approve", "return_plan", "mark_duplicate"]),
        (S.MEASURES_PLANNED, None, "responsible", ["mark_duplicate"]),
        (S.MEASURES_PLANNED, None, "executor", []),
        (S.IN_PROGRESS, None, "executor", []),  # its measure is not reported yet
        (S.IN_PROGRESS, None, "executor2", []),
        (S.IN_PROGRESS, None, "responsible", ["mark_duplicate"]),
        (S.RESOLVED, None, "responsible", ["answer", "mark_duplicate"]),
        (S.RESOLVED, None, "executor", []),
        (S.ANSWERED, None, "qms", ["close", "reopen", "mark_duplicate"]),
        (S.ANSWERED, None, "responsible", ["close", "mark_duplicate"]),
        (S.CLOSED, None, "qms", ["reopen"]),
        (S.CLOSED, None, "responsible", []),
        (S.CLOSED, None, "operator", []),
        (S.DUPLICATE, None, "qms", ["unmark_duplicate"]),
        (S.DUPLICATE, None, "responsible", []),
        (S.DUPLICATE, None, "operator", []),
        (S.WITHDRAWN, None, "administrator", []),
        (S.IN_PROGRESS, None, "manager", []),
    ],
)
def test_available_transitions(request, walk, state, justification, user, expected):
    complaint = walk(None, state, justification=justification or Justification.JUSTIFIED)
    names = [t.name for t in tr.available_transitions(request.getfixturevalue(user), complaint)]
    assert names == expected
