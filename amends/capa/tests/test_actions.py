from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from amends.accounts.models import Role
from amends.capa.actions import action_cancel, action_plan, action_report, action_reschedule, plan_complete
from amends.capa.choices import ActionStatus, NonconformityState
from amends.capa.lifecycle import ANALYSE
from amends.capa.models import Action
from amends.capa.nonconformities import nonconformity_open, nonconformity_step
from amends.core.errors import AccessDenied, TransitionNotAllowed


@pytest.fixture
def record(qms, responsible):
    made = nonconformity_open(actor=qms, title="Батареи теряют ёмкость", owner=responsible)
    return nonconformity_step(actor=qms, nonconformity=made, step=ANALYSE)


def plan(record, owner, actor=None, days=14):
    return action_plan(
        actor=actor or record.owner, nonconformity=record, description="Входной контроль АКБ", owner=owner,
        due_date=timezone.localdate() + timedelta(days=days),
    )


def test_the_plan_is_complete_only_with_an_action(record, responsible, executor):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        plan_complete(actor=responsible, nonconformity=record)
    assert refused.value.messages == ["Plan at least one action before completing the plan."]
    plan(record, executor)
    assert plan_complete(actor=responsible, nonconformity=record).state == NonconformityState.ACTIONS_PLANNED
    with pytest.raises(TransitionNotAllowed):
        plan_complete(actor=responsible, nonconformity=record)


def test_only_the_manager_completes_the_plan(record, executor):
    plan(record, executor)
    with pytest.raises(AccessDenied):
        plan_complete(actor=executor, nonconformity=record)
    record.refresh_from_db()
    assert record.state == NonconformityState.ANALYSED


def test_the_record_takes_actions_done_itself_when_every_action_not_cancelled_is_done(record, responsible, executor):
    first, second = plan(record, executor), plan(record, executor, days=20)
    plan_complete(actor=responsible, nonconformity=record)
    action_report(actor=executor, action=first, report="Half the batches checked")
    first.refresh_from_db()
    assert (first.status, first.done_at) == (ActionStatus.IN_PROGRESS, None)
    action_report(actor=executor, action=first, report="All batches checked", done=True)
    record.refresh_from_db()
    assert record.state == NonconformityState.ACTIONS_PLANNED  # the second is still to do
    action_cancel(actor=responsible, action=second, reason="Covered by the first")
    record.refresh_from_db()
    assert record.state == NonconformityState.ACTIONS_DONE
    step = record.events.get(code="step", params__step="actions_done")
    assert step.actor is None
    assert list(record.events.filter(kind="action").values_list("code", flat=True)) == [
        "planned", "planned", "reported", "done", "cancelled",
    ]


def test_actions_done_before_the_plan_is_complete_wait_for_it(record, responsible, executor):
    action = plan(record, executor)
    action_report(actor=executor, action=action, report="Done", done=True)
    record.refresh_from_db()
    assert record.state == NonconformityState.ANALYSED
    assert plan_complete(actor=responsible, nonconformity=record).state == NonconformityState.ACTIONS_DONE


def test_a_report_is_written_by_the_owner_of_the_action_or_the_manager_only(record, executor, operator, qms):
    action = plan(record, executor)
    with pytest.raises(AccessDenied):
        action_report(actor=operator, action=action, report="x")
    with pytest.raises(ValidationError) as refused:
        action_report(actor=qms, action=action, report="  ", done=True)
    assert "report" in refused.value.message_dict
    action.refresh_from_db()
    assert action.status == ActionStatus.PLANNED


def test_a_done_or_cancelled_action_takes_no_more_reports_and_cancelling_needs_a_reason(record, responsible, executor):
    done, other = plan(record, executor), plan(record, executor)
    action_report(actor=executor, action=done, report="Done", done=True)
    with pytest.raises(ValidationError):
        action_report(actor=executor, action=done, report="Again", done=True)
    with pytest.raises(ValidationError) as refused:
        action_cancel(actor=responsible, action=other, reason=" ")
    assert "reason" in refused.value.message_dict
    with pytest.raises(AccessDenied):
        action_cancel(actor=executor, action=other, reason="Not mine")
    assert Action.objects.get(pk=other.pk).status == ActionStatus.PLANNED
    assert record.events.filter(code="done").count() == 1


def test_a_new_due_date_in_the_past_is_refused(record, responsible, executor):
    action = plan(record, executor)
    with pytest.raises(ValidationError) as refused:
        action_reschedule(actor=responsible, action=action, due_date=timezone.localdate() - timedelta(days=1))
    assert set(refused.value.message_dict) == {"due_date"}
    later = timezone.localdate() + timedelta(days=30)
    action = action_reschedule(actor=responsible, action=action, due_date=later)
    assert (action.due_date, action.check_on) == (later, later + timedelta(days=90))


# The page and its forms, by role.

def page(client, user, record):
    client.force_login(user)
    return client.get(reverse("capa:record", args=[record.number]))


def test_the_manager_plans_from_the_page_and_a_past_due_date_is_refused_with_a_message(client, record, responsible,
                                                                                       executor):
    responsible.language = "en"
    responsible.save(update_fields=["language"])
    client.force_login(responsible)
    url = reverse("capa:action_plan", args=[record.number])
    yesterday = timezone.localdate() - timedelta(days=1)
    refused = client.post(url, {"owner": executor.pk, "kind": "corrective", "description": "Входной контроль",
                                "due_date": yesterday.isoformat()})
    assert refused.status_code == 400
    assert "The due date has passed: choose today or a later day." in refused.content.decode()
    assert not Action.objects.exists()
    due = timezone.localdate() + timedelta(days=7)
    assert client.post(url, {"owner": executor.pk, "kind": "preventive", "description": "Входной контроль",
                             "due_date": due.isoformat()}).status_code == 302
    action = Action.objects.get()
    assert (action.kind, action.check_on) == ("preventive", due + timedelta(days=90))
    assert client.post(reverse("capa:plan_complete", args=[record.number])).status_code == 302
    record.refresh_from_db()
    assert record.state == NonconformityState.ACTIONS_PLANNED


def test_the_action_owner_reports_but_does_not_plan(client, record, executor):
    action = plan(record, executor)
    body = page(client, executor, record).content.decode()
    assert reverse("capa:action_report", args=[record.number, action.pk]) in body
    assert 'id="action-plan-form"' not in body
    assert client.post(reverse("capa:action_plan", args=[record.number]), {}).status_code == 403
    cancel = reverse("capa:action_cancel", args=[record.number, action.pk])
    assert client.post(cancel, {"reason": "x"}).status_code == 403
    assert client.post(reverse("capa:action_report", args=[record.number, action.pk]),
                       {"report": "Готово", "done": "on"}).status_code == 302
    assert Action.objects.get().status == ActionStatus.DONE


def test_the_qms_head_plans_and_an_overseer_only_reads(client, record, qms, make_user, executor):
    action = plan(record, executor)
    assert 'id="action-plan-form"' in page(client, qms, record).content.decode()
    overseer = make_user("overseer", Role.MANAGER)
    body = page(client, overseer, record).content.decode()
    assert "Входной контроль АКБ" in body and 'id="action-plan-form"' not in body
    report = reverse("capa:action_report", args=[record.number, action.pk])
    assert client.post(report, {"report": "x"}).status_code == 403


def test_a_stranger_finds_nothing(client, record, operator, executor):
    action = plan(record, executor)
    assert page(client, operator, record).status_code == 404
    for name, args in [("action_plan", []), ("plan_complete", []), ("action_report", [action.pk]),
                       ("action_cancel", [action.pk]), ("action_reschedule", [action.pk]),
                       ("action_check", [action.pk])]:
        assert client.post(reverse(f"capa:{name}", args=[record.number, *args]), {}).status_code == 404


def test_the_page_makes_the_same_number_of_queries_whatever_the_number_of_actions(
    client, record, responsible, executor, django_assert_max_num_queries,
):
    first = plan(record, executor)
    action_report(actor=executor, action=first, report="Done", done=True)
    client.force_login(responsible)
    url = reverse("capa:record", args=[record.number])
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for _ in range(6):
        action_report(actor=executor, action=plan(record, executor), report="Done", done=True)
        plan(record, executor)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_completing_an_empty_plan_from_the_page_says_why(client, record, responsible):
    responsible.language = "en"
    responsible.save(update_fields=["language"])
    client.force_login(responsible)
    answer = client.post(reverse("capa:plan_complete", args=[record.number]), follow=True)
    assert "Plan at least one action before completing the plan." in answer.content.decode()
    record.refresh_from_db()
    assert record.state == NonconformityState.ANALYSED
