"""The yearly statement's life: the sweep's dates (drafted from 1 January, the reminder from the 5th,
the escalation after the 15th, each once), the conclusions and the approval that freezes them."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from amends.accounts.roles import Role
from amends.analytics.models import YearlyStatement
from amends.analytics.statements import (
    statement_approve,
    statement_conclusions_set,
    yearly_statement_sweep,
)
from amends.core.errors import AccessDenied
from amends.jobs.schedule import PERIODIC
from amends.notifications.models import Notification
from amends.notifications.rendering import render_notification

from .yearly_fixtures import YEAR, local


@pytest.fixture
def last_year_card(card):
    return card(local(YEAR, 3))


def sent(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


@pytest.mark.django_db
def test_a_fresh_installation_owes_no_statement(qms):
    result = yearly_statement_sweep(local(YEAR + 1, 1, 20))
    assert result.year is None and not YearlyStatement.objects.exists()


@pytest.mark.django_db
def test_drafted_from_1_january_reminded_from_the_5th_escalated_after_the_15th(last_year_card, qms, manager, make_user):
    make_user("second_qms", Role.QMS_HEAD)
    # On 31 December the year before is asked for, and it had no card: no statement owed yet.
    assert yearly_statement_sweep(local(YEAR, 12, 31, 23, 59)).year is None
    assert not YearlyStatement.objects.exists()
    first = yearly_statement_sweep(local(YEAR + 1, 1, 1, 0, 5))
    assert (first.year, first.drafted, first.reminded, first.escalated) == (YEAR, True, 0, 0)
    statement = YearlyStatement.objects.get(year=YEAR)
    assert statement.drafted_at == local(YEAR + 1, 1, 1, 0, 5)

    assert yearly_statement_sweep(local(YEAR + 1, 1, 4, 23, 59)).reminded == 0
    reminded = yearly_statement_sweep(local(YEAR + 1, 1, 5, 0, 0))
    assert (reminded.drafted, reminded.reminded, reminded.escalated) == (False, 2, 0)
    assert sent("yearly_statement_due") == ["qms", "second_qms"]
    assert yearly_statement_sweep(local(YEAR + 1, 1, 6)).reminded == 0  # once

    assert yearly_statement_sweep(local(YEAR + 1, 1, 15, 23, 59)).escalated == 0
    escalated = yearly_statement_sweep(local(YEAR + 1, 1, 16, 0, 0))
    assert escalated.escalated == 1 and sent("yearly_statement_overdue") == ["manager"]
    assert yearly_statement_sweep(local(YEAR + 1, 2, 1)).escalated == 0  # once
    statement.refresh_from_db()
    assert statement.reminded_at == local(YEAR + 1, 1, 5, 0) and statement.escalated_at == local(YEAR + 1, 1, 16, 0)
    assert len(sent("yearly_statement_due")) == 2 and YearlyStatement.objects.count() == 1


@pytest.mark.django_db
def test_an_approved_statement_is_neither_reminded_nor_escalated(last_year_card, qms, manager):
    yearly_statement_sweep(local(YEAR + 1, 1, 2))
    statement_conclusions_set(actor=qms, year=YEAR, conclusions="Жалоб меньше; поставщик АКБ под контролем.")
    statement_approve(actor=qms, year=YEAR, now=local(YEAR + 1, 1, 3))
    result = yearly_statement_sweep(local(YEAR + 1, 1, 20))
    assert (result.reminded, result.escalated) == (0, 0)
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_the_notices_say_which_year_and_by_when(last_year_card, qms, manager):
    yearly_statement_sweep(local(YEAR + 1, 1, 16))
    due = Notification.objects.select_related("user").get(kind="yearly_statement_due")
    overdue = Notification.objects.select_related("user").get(kind="yearly_statement_overdue")
    with translation.override("en"):
        rendered, late = render_notification(due, "en"), render_notification(overdue, "en")
    assert rendered.subject == f"The yearly statement of complaint analysis for {YEAR} awaits your conclusions"
    assert f"/analytics/yearly/?year={YEAR}" in rendered.body and f"15 Jan {YEAR + 1}" in rendered.body
    assert late.subject == f"The yearly statement of complaint analysis for {YEAR} is not approved"


@pytest.mark.django_db
@translation.override("en")
def test_conclusions_are_frozen_once_approved(last_year_card, qms):
    with pytest.raises(ValidationError, match="conclusions before"):
        statement_approve(actor=qms, year=YEAR, now=local(YEAR + 1, 1, 3))
    statement_conclusions_set(actor=qms, year=YEAR, conclusions="  Выводы.  ")
    with pytest.raises(ValidationError, match="once the year is over"):
        statement_approve(actor=qms, year=YEAR, now=local(YEAR, 12, 31))
    statement = statement_approve(actor=qms, year=YEAR, now=local(YEAR + 1, 1, 3))
    assert (statement.conclusions, statement.approved_by) == ("Выводы.", qms)
    assert statement.approved_at == local(YEAR + 1, 1, 3)
    with pytest.raises(ValidationError, match="approved"):
        statement_conclusions_set(actor=qms, year=YEAR, conclusions="Другие выводы.")
    with pytest.raises(ValidationError, match="approved"):
        statement_approve(actor=qms, year=YEAR, now=local(YEAR + 1, 1, 4))
    assert YearlyStatement.objects.get(year=YEAR).conclusions == "Выводы."


@pytest.mark.django_db
def test_only_the_head_of_the_qms_concludes_and_approves(last_year_card, manager, responsible):
    for user in (manager, responsible):
        with pytest.raises(AccessDenied):
            statement_conclusions_set(actor=user, year=YEAR, conclusions="Выводы.")
        with pytest.raises(AccessDenied):
            statement_approve(actor=user, year=YEAR, now=local(YEAR + 1, 1, 3))
    assert not YearlyStatement.objects.filter(conclusions__gt="").exists()


def test_the_sweep_runs_hourly_as_a_periodic_job():
    job = next(job for job in PERIODIC if job.name == "analytics_yearly")
    assert job.task == "amends.jobs.tasks.analytics_yearly_task" and job.every.total_seconds() == 3600
