"""Helpers for the complaint tests: extra users and `walk`, which takes a card to a state.

Everything is built through the services, the way the application builds it.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from amends.accounts.roles import Role
from amends.complaints.choices import Channel, Justification, Loyalty, State
from amends.complaints.models import Cause, Complaint, TimelineEvent
from amends.complaints.services import (
    complaint_register,
    complaint_transition,
    measure_add,
    measure_report,
)

# The main line of the lifecycle, in order.
MAIN_LINE = [
    State.REGISTERED, State.ASSIGNED, State.INVESTIGATING, State.DECIDED,
    State.MEASURES_PLANNED, State.IN_PROGRESS, State.RESOLVED, State.ANSWERED, State.CLOSED,
]
# States a complaint judged unjustified never passes through.
MEASURE_STATES = {State.MEASURES_PLANNED, State.IN_PROGRESS, State.RESOLVED}


@pytest.fixture
def operator2(make_user):
    return make_user("operator2", Role.OPERATOR)


@pytest.fixture
def responsible2(make_user):
    return make_user("responsible2", Role.RESPONSIBLE)


@pytest.fixture
def executor2(make_user):
    return make_user("executor2", Role.EXECUTOR)


@pytest.fixture
def nobody(make_user):
    """An active user without any role."""
    return make_user("nobody")


@pytest.fixture
def cause(db):
    return Cause.objects.order_by("pk").first()


@pytest.fixture(autouse=True)
def _no_automatic_duplicate_links(settings):
    """These tests register the same text for one contact again and again on purpose;
    the automatic link of such repeats is tested in amends/duplicates."""
    settings.AMENDS_DUPLICATE_AUTO_LINK_HOURS = 0


@pytest.fixture
def register(operator, contact):
    """Register a complaint (by the operator fixture unless `actor` is given)."""

    def register(**kwargs) -> Complaint:
        kwargs.setdefault("actor", operator)
        kwargs.setdefault("channel", Channel.EMAIL)
        kwargs.setdefault("contact", contact)
        kwargs.setdefault("wording", "Товар пришёл с трещиной на корпусе.")
        return complaint_register(**kwargs)

    return register


@pytest.fixture
def walk(qms, responsible, executor, cause, register):
    """Take a card along the lifecycle to `target` through the services.

    The QMS head assigns `responsible`, who investigates and decides (justified unless told);
    a justified card gets one measure for `executor`, who reports on it and completes.
    """

    def step(complaint: Complaint, justification: str) -> Complaint:
        state = complaint.state
        if state == State.REGISTERED:
            return complaint_transition(
                complaint=complaint, name="assign", actor=qms, data={"responsible": responsible},
            )
        if state == State.ASSIGNED:
            return complaint_transition(complaint=complaint, name="investigate", actor=responsible)
        if state == State.INVESTIGATING:
            return complaint_transition(
                complaint=complaint, name="decide", actor=responsible,
                data={"justification": justification, "opinion": "Курьер опоздал.",
                      "cause": cause},
            )
        if state == State.DECIDED:
            if complaint.justification == Justification.UNJUSTIFIED:
                return complaint_transition(
                    complaint=complaint, name="answer", actor=responsible,
                    data={"answer_text": "Претензия не подтвердилась."},
                )
            if not complaint.measures.filter(done_at__isnull=True).exists():
                measure_add(
                    complaint=complaint, actor=responsible, description="Заменить товар",
                    executor=executor, due_date=timezone.localdate() + timedelta(days=7),
                )
            return complaint_transition(complaint=complaint, name="plan", actor=responsible)
        if state == State.MEASURES_PLANNED:
            return complaint_transition(complaint=complaint, name="approve", actor=qms)
        if state == State.IN_PROGRESS:
            for measure in complaint.measures.filter(done_at__isnull=True):
                measure_report(measure=measure, actor=measure.executor, report="Заменили.")
            return complaint_transition(complaint=complaint, name="complete", actor=executor)
        if state == State.RESOLVED:
            return complaint_transition(
                complaint=complaint, name="answer", actor=responsible,
                data={"answer_text": "Товар заменён, приносим извинения."},
            )
        if state == State.ANSWERED:
            return complaint_transition(
                complaint=complaint, name="close", actor=responsible,
                data={"satisfaction": 9, "loyalty": Loyalty.RECOMMENDS},
            )
        raise AssertionError(f"walk cannot go on from {state}")

    def walk(
        complaint: Complaint | None, target: str, *, justification: str = Justification.JUSTIFIED,
    ) -> Complaint:
        complaint = complaint or register()
        if target == State.DUPLICATE:
            original = register(actor=qms, wording="Та же жалоба, полученная письмом.")
            return complaint_transition(
                complaint=complaint, name="mark_duplicate", actor=qms,
                data={"original_number": original.number},
            )
        if target == State.WITHDRAWN:
            return complaint_transition(
                complaint=complaint, name="withdraw", actor=qms, comment="Клиент отозвал жалобу.",
            )
        assert target in MAIN_LINE, target
        assert not (target in MEASURE_STATES and justification == Justification.UNJUSTIFIED)
        for _ in range(len(MAIN_LINE) + 1):
            if complaint.state == target:
                complaint.refresh_from_db()
                return complaint
            complaint = step(complaint, justification)
        raise AssertionError(f"walk did not reach {target}")

    return walk


def db_state(complaint: Complaint) -> tuple:
    """Everything a refused action must leave untouched: the row, its events, its measures."""
    return (
        Complaint.objects.filter(pk=complaint.pk).values().get(),
        TimelineEvent.objects.filter(complaint_id=complaint.pk).count(),
        list(complaint.measures.order_by("pk").values()),
        list(complaint.attachments.order_by("pk").values()),
    )
