"""Fixtures of the CAPA API's tests: a record opened by the head of the QMS with its owner, and
cards classified by cause and supplier (the CAPA app's own test fixtures, for the API's client)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from amends.accounts.roles import Role
from amends.capa.actions import action_plan, action_report, plan_complete
from amends.capa.nonconformities import nonconformity_open
from amends.capa.root_cause import analysis_complete, whys_save


@pytest.fixture
def owner(make_user):
    return make_user("nc_owner", Role.RESPONSIBLE, language="en")


@pytest.fixture
def stranger(make_user):
    """An employee who neither oversees quality nor owns anything of CAPA."""
    return make_user("stranger", Role.EXECUTOR)


@pytest.fixture
def record(qms, owner, supplier):
    return nonconformity_open(actor=qms, title="Batteries swell", owner=owner, supplier=supplier)


@pytest.fixture
def analysed(record, owner):
    whys_save(actor=owner, nonconformity=record, steps=[("Why swell?", "Cells overheat")])
    return analysis_complete(actor=owner, nonconformity=record, root_cause="Cells overheat")


def due(days: int = 10):
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def done_action(analysed, owner):
    """An action planned, the plan complete and the action reported done."""
    action = action_plan(actor=owner, nonconformity=analysed, description="Change the cell supplier",
                         owner=owner, due_date=due())
    plan_complete(actor=owner, nonconformity=analysed)
    return action_report(actor=owner, action=action, report="Changed", done=True)


def rec(record, part: str = "") -> str:
    number = getattr(record, "number", record)
    return f"/api/v1/nonconformities/{number}/" + (f"{part}/" if part else "")
