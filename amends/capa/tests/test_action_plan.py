from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from amends.capa.actions import action_plan
from amends.capa.models import Action
from amends.capa.nonconformities import nonconformity_open


def test_an_action_gets_its_check_90_days_after_its_due_date_by_default(qms, executor):
    record = nonconformity_open(actor=qms, title="Батареи")
    due = timezone.localdate() + timedelta(days=14)
    action = action_plan(
        actor=qms, nonconformity=record, description="Входной контроль АКБ", owner=executor, due_date=due,
    )
    assert action.check_on == due + timedelta(days=90)
    assert record.events.filter(code="planned").exists()


def test_a_due_date_in_the_past_and_a_check_before_the_due_date_are_refused(qms, executor):
    record = nonconformity_open(actor=qms, title="Батареи")
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        action_plan(actor=qms, nonconformity=record, description="x", owner=executor,
                    due_date=today - timedelta(days=1), check_on=today - timedelta(days=1))
    assert set(refused.value.message_dict) == {"due_date", "check_on"}
    assert not Action.objects.exists()
