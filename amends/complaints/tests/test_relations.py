"""One declaration of who stands how to a card (access.RELATIONS) read three ways: the card
(`can_view_complaint`), the list (`complaints_visible_to`) and the lifecycle (`relations`,
`available_transitions`). For every role × state × tie they must agree with each other and
with the rules as the README states them."""

import copy
import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from amends.accounts.models import Department, User
from amends.accounts.roles import Role
from amends.complaints import access
from amends.complaints import transitions as tr
from amends.complaints.choices import Justification, State
from amends.complaints.choices import State as S
from amends.complaints.models import Complaint, Measure, new_tracking_code
from amends.complaints.selectors import complaints_visible_to
from amends.complaints.services import complaint_file_internal, complaint_transition

ROLES = [None, *Role.values]  # None: an employee without a role
TIES = ("registered", "responsible", "measure", "none")


def expected_relations(role, tie) -> set[str]:
    """README: the QMS head and administrators take every step; the others by their tie to the card."""
    found = set()
    if role in (Role.QMS_HEAD, Role.ADMINISTRATOR):
        found.add(tr.QMS)
    if tie == "responsible" and role in (Role.RESPONSIBLE, Role.QMS_HEAD):
        found.add(tr.RESPONSIBLE)
    if tie == "registered" and role == Role.OPERATOR:
        found.add(tr.OPERATOR)
    if tie == "measure" and role == Role.EXECUTOR:
        found.add(tr.EXECUTOR)
    return found


def expected_visible(role, tie) -> bool:
    """README: overseers read everything, everyone sees what they registered, the others their work."""
    return (
        role in (Role.QMS_HEAD, Role.MANAGER, Role.ADMINISTRATOR)
        or tie == "registered"
        or bool(expected_relations(role, tie))
    )


@pytest.fixture
def matrix(make_user, register):
    """A user per role; for each of them a card in every state for every tie."""
    users = {role: make_user(f"as_{role or 'nobody'}", *([role] if role else [])) for role in ROLES}
    other_operator = make_user("other_operator", Role.OPERATOR)
    other_responsible = make_user("other_responsible", Role.RESPONSIBLE)
    other_executor = make_user("other_executor", Role.EXECUTOR)
    base = register(actor=other_operator)
    cards, ties = [], []
    for n, (role, tie, state) in enumerate(itertools.product(ROLES, TIES, State.values), start=1):
        card = copy.copy(base)
        card.pk, card._state = None, copy.copy(base._state)
        card._state.adding = True
        card.number, card.tracking_code = f"1999-{n:06d}", new_tracking_code()
        card.state, card.justification = state, Justification.JUSTIFIED
        card.registered_by = users[role] if tie == "registered" else other_operator
        card.responsible = users[role] if tie == "responsible" else other_responsible
        cards.append(card)
        ties.append((role, tie))
    Complaint.objects.bulk_create(cards)
    due = timezone.localdate() + timedelta(days=3)
    Measure.objects.bulk_create(
        Measure(complaint=card, description="—", due_date=due,
                executor=users[role] if tie == "measure" else other_executor)
        for card, (role, tie) in zip(cards, ties, strict=True)
    )
    fresh = {role: User.objects.get(pk=user.pk) for role, user in users.items()}
    return fresh, [(Complaint.objects.get(pk=c.pk), role, tie) for c, (role, tie) in zip(cards, ties, strict=True)]


def test_card_list_and_lifecycle_agree_for_every_role_state_and_tie(matrix):
    users, cards = matrix
    assert len(cards) == len(ROLES) * len(TIES) * len(State.values)
    for role, user in users.items():
        visible = set(complaints_visible_to(user).filter(number__startswith="1999-").values_list("pk", flat=True))
        for card, owner_role, card_tie in cards:
            tie = card_tie if owner_role == role else "none"
            where = (role, tie, card.state)
            mine = access.relations(user, card)
            assert mine == expected_relations(role, tie), where
            assert access.can_view_complaint(user, card) is (card.pk in visible) is expected_visible(role, tie), where
            # Whoever may act on a card sees it.
            assert not mine or card.pk in visible, where
            # The card's buttons are exactly the steps its relations grant in this state.
            available = {t.name for t in tr.available_transitions(user, card)}
            assert available == {
                t.name for t in tr.TRANSITIONS.values()
                if t.performers & mine and card.state in t.sources and t.blocked_reason(card) is None
            }, where


def test_rights_on_a_card_follow_the_relation_not_a_bare_id(walk, responsible):
    """Editing, planning and reporting went by `responsible_id` alone, the other checks by the
    relation; they now all need it, so a responsible person who lost the role loses them together
    with the card."""
    complaint = walk(None, S.DECIDED)
    assert access.can_edit_complaint(responsible, complaint) and access.can_plan_measures(responsible, complaint)
    responsible.groups.clear()
    responsible = User.objects.get(pk=responsible.pk)
    assert not access.can_view_complaint(responsible, complaint)
    assert not access.can_edit_complaint(responsible, complaint)
    assert not access.can_plan_measures(responsible, complaint)


def test_the_author_without_a_role_sees_and_edits_the_card_until_it_is_assigned(make_user, qms, responsible):
    """Any employee's internal complaint: they see it and may correct it, but take no step as its operator."""
    employee = make_user("employee")
    department = Department.objects.create(name="Склад")
    complaint = complaint_file_internal(actor=employee, department_concerned=department, wording="Не перезвонили.")
    assert access.relations(employee, complaint) == frozenset()
    assert access.can_view_complaint(employee, complaint) and access.can_edit_complaint(employee, complaint)
    assert tr.available_transitions(employee, complaint) == []
    complaint = complaint_transition(complaint=complaint, name="assign", actor=qms, data={"responsible": responsible})
    assert access.can_view_complaint(employee, complaint) and not access.can_edit_complaint(employee, complaint)


# README "Who writes what": the relations each write needs, by role and tie.
TALKS_TO_THE_CUSTOMER = {tr.QMS, tr.RESPONSIBLE, tr.OPERATOR}
WORKS_THE_CARD = TALKS_TO_THE_CUSTOMER | {tr.EXECUTOR}
WRITERS = {
    access.NOTE: WORKS_THE_CARD, access.ATTACHMENT: WORKS_THE_CARD,
    access.CALL: TALKS_TO_THE_CUSTOMER, access.MESSAGE: TALKS_TO_THE_CUSTOMER,
    access.EDIT: {tr.QMS, tr.RESPONSIBLE}, access.AFTER_ANSWER: {tr.QMS, tr.RESPONSIBLE},
    access.ANSWER: {tr.QMS, tr.RESPONSIBLE},
    access.CUSTOMER: TALKS_TO_THE_CUSTOMER,
    access.SIGN_RESPONSIBLE: {tr.RESPONSIBLE}, access.SIGN_QMS: {tr.QMS},
    access.COMPENSATION: TALKS_TO_THE_CUSTOMER,
    access.LETTER: {tr.QMS, tr.RESPONSIBLE},
    access.NONCONFORMITY: {tr.QMS, tr.RESPONSIBLE},
}


def expected_write(write, role, tie, state) -> bool:
    final = state in (S.CLOSED, S.WITHDRAWN, S.DUPLICATE)
    if final and write in (access.EDIT, access.MESSAGE, access.CUSTOMER, access.COMPENSATION, access.LETTER):
        return False
    if write == access.EDIT and state == S.REGISTERED and tie == "registered":
        return True  # its author corrects it until it is assigned
    return bool(expected_relations(role, tie) & WRITERS[write])


def test_writes_follow_the_readme_for_every_role_state_and_tie(matrix):
    """A manager could note, call and attach on any card; an executor on any card they saw."""
    users, cards = matrix
    assert set(access.WRITES) == set(WRITERS)
    for role, user in users.items():
        for card, owner_role, card_tie in cards:
            tie = card_tie if owner_role == role else "none"
            for write in WRITERS:
                assert access.can_write(user, card, write) is expected_write(write, role, tie, card.state), (
                    role, tie, card.state, write)
            assert access.can_see_tracking_link(user, card) is bool(
                expected_relations(role, tie) & TALKS_TO_THE_CUSTOMER), (role, tie, card.state)
