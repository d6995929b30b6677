from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from amends.capa.actions import action_plan, action_report, action_reschedule, plan_complete
from amends.capa.choices import ActionStatus, NonconformityState
from amends.capa.effectiveness import effectiveness_record
from amends.capa.lifecycle import ANALYSE
from amends.capa.models import Action, EffectivenessCheck
from amends.capa.nonconformities import nonconformity_open, nonconformity_step
from amends.core.errors import AccessDenied


@pytest.fixture
def record(qms, responsible, supplier_cause):
    made = nonconformity_open(actor=qms, title="Батареи", owner=responsible, cause=supplier_cause)
    return nonconformity_step(actor=qms, nonconformity=made, step=ANALYSE)


def planned(record, executor, n=1):
    actions = [
        action_plan(actor=record.owner, nonconformity=record, description=f"Действие {i}", owner=executor,
                    due_date=timezone.localdate() + timedelta(days=7))
        for i in range(n)
    ]
    plan_complete(actor=record.owner, nonconformity=record)
    return actions


def done(action, executor):
    return action_report(actor=executor, action=action, report="Сделано", done=True)


def state(record):
    record.refresh_from_db()
    return record.state


def test_a_check_before_the_action_is_done_is_refused_with_a_message(record, executor, responsible):
    [action] = planned(record, executor)
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        effectiveness_record(actor=responsible, action=action, effective=True, comment="Жалоб нет")
    with translation.override("en"):
        assert refused.value.messages == ["The action is not done yet: its effectiveness is checked once it is done."]
    assert not EffectivenessCheck.objects.exists()


def test_effective_checks_of_every_action_not_cancelled_take_the_checked_step(record, executor, responsible,
                                                                              classified, supplier_cause):
    first, second = planned(record, executor, 2)
    done(first, executor)
    done(second, executor)
    assert state(record) == NonconformityState.ACTIONS_DONE
    card = classified(cause=supplier_cause)
    check = effectiveness_record(actor=responsible, action=first, effective=True, comment="Жалоб меньше")
    assert check.evidence["dimensions"][0]["after"] == [card.number]
    assert state(record) == NonconformityState.ACTIONS_DONE  # the second is still unchecked
    effectiveness_record(actor=responsible, action=second, effective=True, comment="Жалоб меньше")
    assert state(record) == NonconformityState.EFFECTIVENESS_CHECKED
    assert record.events.filter(code="step", params__step="checked", actor=None).exists()
    with pytest.raises(ValidationError):
        effectiveness_record(actor=responsible, action=second, effective=False, comment="Снова")


def test_not_effective_reopens_the_record_and_plans_the_action_again(record, executor, responsible):
    [action] = planned(record, executor)
    done(action, executor)
    effectiveness_record(actor=responsible, action=action, effective=False, comment="Жалобы идут")
    record.refresh_from_db()
    action.refresh_from_db()
    assert (record.state, record.reopened) == (NonconformityState.OPEN, 1)
    assert (action.status, action.done_at) == (ActionStatus.PLANNED, None)
    reopen = record.events.get(code="step", params__step="reopen")
    assert (reopen.actor, reopen.params["reason"]) == (None, "Жалобы идут")
    with translation.override("en"):
        entries = [e.text_display for e in record.events.filter(kind="check")]
    assert entries == ["Not effective: Действие 0 — Жалобы идут"]
    later = timezone.localdate() + timedelta(days=30)
    assert action_reschedule(actor=responsible, action=action, due_date=later).due_date == later


def test_only_the_manager_checks_and_a_comment_is_required(record, executor, responsible):
    [action] = planned(record, executor)
    done(action, executor)
    with pytest.raises(AccessDenied):
        effectiveness_record(actor=executor, action=action, effective=True, comment="Моё")
    with pytest.raises(ValidationError) as refused:
        effectiveness_record(actor=responsible, action=action, effective=True, comment=" ")
    assert "comment" in refused.value.message_dict
    assert state(record) == NonconformityState.ACTIONS_DONE


def test_an_early_check_is_allowed_and_the_page_says_it_is_early(client, record, executor, responsible):
    [action] = planned(record, executor)
    done(action, executor)
    responsible.language = "en"
    responsible.save(update_fields=["language"])
    client.force_login(responsible)
    body = client.get(reverse("capa:record", args=[record.number])).content.decode()
    assert "It is early: the check is planned for" in body
    url = reverse("capa:action_check", args=[record.number, action.pk])
    assert client.post(url, {"effective": "yes", "comment": "Жалоб нет"}).status_code == 302
    assert state(record) == NonconformityState.EFFECTIVENESS_CHECKED


def test_on_its_date_the_page_does_not_say_early(client, record, executor, responsible):
    [action] = planned(record, executor)
    done(action, executor)
    Action.objects.filter(pk=action.pk).update(check_on=timezone.localdate())
    responsible.language = "en"
    responsible.save(update_fields=["language"])
    client.force_login(responsible)
    body = client.get(reverse("capa:record", args=[record.number])).content.decode()
    assert "Check its effectiveness" in body and "It is early" not in body


def test_the_check_view_by_role(client, record, executor, qms, operator):
    [action] = planned(record, executor)
    url = reverse("capa:action_check", args=[record.number, action.pk])
    client.force_login(qms)
    refused = client.post(url, {"effective": "yes", "comment": "Рано"})
    assert refused.status_code == 400  # not done yet: the form again with the message
    done(action, executor)
    client.force_login(executor)
    assert client.post(url, {"effective": "no", "comment": "x"}).status_code == 403
    client.force_login(operator)
    assert client.post(url, {"effective": "no", "comment": "x"}).status_code == 404
    client.force_login(qms)
    assert client.post(url, {"effective": "no", "comment": "Жалобы идут"}).status_code == 302
    assert state(record) == NonconformityState.OPEN


def test_an_action_checked_effective_is_not_offered_for_a_check_again(client, record, executor, responsible):
    first, second = planned(record, executor, 2)
    done(first, executor)
    done(second, executor)
    effectiveness_record(actor=responsible, action=first, effective=True, comment="Жалоб меньше")
    client.force_login(responsible)
    body = client.get(reverse("capa:record", args=[record.number])).content.decode()
    assert reverse("capa:action_check", args=[record.number, first.pk]) not in body
    assert reverse("capa:action_check", args=[record.number, second.pk]) in body
    assert 'data-effective="yes"' in body
