"""Who sees which card (DOMAIN.md §9): `complaints_visible_to`, `can_view_complaint`, `complaint_get`."""

from datetime import timedelta

import pytest
from django.utils import timezone

from amends.accounts.models import User
from amends.complaints import access
from amends.complaints.choices import State as S
from amends.complaints.models import Complaint
from amends.complaints.selectors import complaint_get, complaints_visible_to
from amends.complaints.services import complaint_transition, measure_add

ALL = {"a", "b", "c", "d", "f"}
# Who sees which of the cards built by `cards` below.
VISIBLE = {
    "operator": {"a", "d"},
    "operator2": {"b"},
    "responsible": {"a", "d"},
    "responsible2": {"b"},
    "executor": {"a"},
    "executor2": {"d"},
    "both": {"d", "f"},
    "qms": ALL,
    "manager": ALL,
    "administrator": ALL,
    "nobody": set(),
}


@pytest.fixture
def both(make_user):
    """An operator who is also an executor."""
    return make_user("both", "operator", "executor")


@pytest.fixture
def cards(walk, register, operator2, qms, responsible, responsible2, executor2, both):
    """a: operator's, handled by responsible, measure for executor (in progress);
    b: operator2's, assigned to responsible2; c: registered by the QMS head, unassigned;
    d: operator's, decided by responsible, measures for executor2 and for `both`;
    f: registered by `both`, unassigned."""
    a = walk(None, S.IN_PROGRESS)
    b = register(actor=operator2, wording="B")
    complaint_transition(complaint=b, name="assign", actor=qms, data={"responsible": responsible2})
    c = register(actor=qms, wording="C")
    d = walk(register(wording="D"), S.DECIDED)
    due = timezone.localdate() + timedelta(days=2)
    for who in (executor2, both):
        measure_add(complaint=d, actor=responsible, description="Мера", executor=who,
                    due_date=due)
    f = register(actor=both, wording="F")
    return {k: Complaint.objects.get(pk=v.pk) for k, v in dict(a=a, b=b, c=c, d=d, f=f).items()}


def fresh(user) -> User:
    """The user as a new request would load it (roles are cached on the instance)."""
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("user", sorted(VISIBLE))
def test_each_role_sees_its_cards(request, cards, user):
    actor = fresh(request.getfixturevalue(user))
    by_pk = {c.pk: key for key, c in cards.items()}
    seen = {by_pk[pk] for pk in complaints_visible_to(actor).values_list("pk", flat=True)}
    assert seen == VISIBLE[user]


@pytest.mark.parametrize("user", sorted(VISIBLE))
def test_can_view_agrees_with_the_list(request, cards, user):
    actor = fresh(request.getfixturevalue(user))
    for key, complaint in cards.items():
        assert access.can_view_complaint(actor, complaint) is (key in VISIBLE[user]), key


@pytest.mark.parametrize("user", sorted(VISIBLE))
def test_complaint_get_finds_only_visible_cards(request, cards, user):
    actor = fresh(request.getfixturevalue(user))
    for key, complaint in cards.items():
        if key in VISIBLE[user]:
            assert complaint_get(actor, complaint.number) == complaint
        else:
            with pytest.raises(Complaint.DoesNotExist):
                complaint_get(actor, complaint.number)


def test_complaint_get_of_an_unknown_number_is_does_not_exist(qms):
    with pytest.raises(Complaint.DoesNotExist):
        complaint_get(qms, "2000-000001")


def test_reassignment_moves_the_card_to_the_new_responsible(walk, qms, responsible, responsible2):
    complaint = walk(None, S.ASSIGNED)
    complaint_transition(complaint=complaint, name="assign", actor=qms,
                         data={"responsible": responsible2})
    assert not complaints_visible_to(fresh(responsible)).filter(pk=complaint.pk).exists()
    assert complaints_visible_to(fresh(responsible2)).filter(pk=complaint.pk).exists()


def test_a_user_who_loses_a_role_loses_its_cards(cards, responsible, executor2):
    responsible.groups.clear()
    executor2.groups.clear()
    assert not complaints_visible_to(fresh(responsible)).exists()
    assert not complaints_visible_to(fresh(executor2)).exists()


def test_the_author_of_a_card_still_sees_it_without_a_role(cards, operator):
    operator.groups.clear()
    assert set(complaints_visible_to(fresh(operator))) == {cards["a"], cards["d"]}


# ---------------------------------------------------------------------------------------------
# Editing, planning and reporting rights


@pytest.mark.parametrize(
    "state, user, expected",
    [
        (S.DECIDED, "responsible", True),
        (S.DECIDED, "qms", True),
        (S.DECIDED, "administrator", True),
        (S.DECIDED, "responsible2", False),
        (S.DECIDED, "manager", False),
        (S.DECIDED, "executor", False),
        (S.INVESTIGATING, "responsible", False),
        (S.MEASURES_PLANNED, "responsible", False),
        (S.MEASURES_PLANNED, "qms", False),
    ],
)
def test_can_plan_measures(request, walk, state, user, expected):
    complaint = walk(None, state)
    assert access.can_plan_measures(request.getfixturevalue(user), complaint) is expected


@pytest.mark.parametrize(
    "state, user, expected",
    [
        (S.IN_PROGRESS, "executor", True),
        (S.IN_PROGRESS, "responsible", True),
        (S.IN_PROGRESS, "qms", True),
        (S.IN_PROGRESS, "executor2", False),
        (S.IN_PROGRESS, "manager", False),
        (S.IN_PROGRESS, "operator", False),
        (S.MEASURES_PLANNED, "executor", False),
        (S.RESOLVED, "executor", False),
    ],
)
def test_can_report_measure(request, walk, state, user, expected):
    complaint = walk(None, state)
    measure = complaint.measures.get()
    assert access.can_report_measure(request.getfixturevalue(user), measure) is expected
