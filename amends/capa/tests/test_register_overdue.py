"""The register's "overdue" filter: the records with a deadline passed and not met
(deadlines.overdue_records), in a fixed number of queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amends.capa.actions import action_plan
from amends.capa.lifecycle import ANALYSE
from amends.capa.nonconformities import nonconformity_step

from .deadline_fixtures import msk
from .test_records_views import numbers_listed

OVERDUE = reverse("capa:list") + "?overdue=on"


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_the_register_lists_only_the_records_with_a_deadline_passed(
    client, record_opened, frozen, qms, responsible, executor,
):
    late_analysis = record_opened("Analysis late")  # due 12 March
    on_time = nonconformity_step(actor=responsible, nonconformity=record_opened("On time"), step=ANALYSE)
    late_action = nonconformity_step(actor=responsible, nonconformity=record_opened("Action late"), step=ANALYSE)
    for record, due in ((on_time, date(2026, 3, 30)), (late_action, date(2026, 3, 13))):
        action_plan(actor=responsible, nonconformity=record, description="Inspection", owner=executor, due_date=due)
    frozen(msk(2026, 3, 14, 9))
    client.force_login(qms)
    assert set(numbers_listed(client.get(OVERDUE))) == {late_analysis.number, late_action.number}
    assert set(numbers_listed(client.get(f"{OVERDUE}&q=Action"))) == {late_action.number}
    page = client.get(reverse("capa:list")).content.decode()
    assert 'name="overdue"' in page and "Overdue (a deadline passed)" in page


def test_the_overdue_register_makes_the_same_queries_for_3_records_as_for_30(
    client, record_opened, frozen, qms, responsible, executor, django_assert_max_num_queries,
):
    def records(count: int) -> None:
        frozen(msk(2026, 3, 2, 10))
        for _n in range(count):
            record = record_opened()
            action_plan(actor=responsible, nonconformity=record, description="Inspection", owner=executor,
                        due_date=date(2026, 3, 5))
        frozen(msk(2026, 3, 20, 9))

    records(3)
    client.force_login(qms)  # signed in at the moment asked (a session does not outlive the clock's jumps)
    with CaptureQueriesContext(connection) as captured:
        assert len(numbers_listed(client.get(OVERDUE))) == 3
    records(27)
    with django_assert_max_num_queries(len(captured)):
        assert len(numbers_listed(client.get(OVERDUE))) == 25  # the first page of 30
