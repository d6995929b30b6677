from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from amends.capa.actions import action_plan
from amends.capa.evidence import Evidence, evidence_for
from amends.capa.models import Action
from amends.capa.nonconformities import nonconformity_open
from amends.complaints.choices import State
from amends.customers.models import Component, Supplier

NOW = timezone.now().replace(microsecond=0)
DONE = NOW - timedelta(days=30)  # windows: before = DONE-30d .. DONE, after = DONE .. NOW


@pytest.fixture
def record(qms, responsible, supplier_cause, product, component, supplier):
    return nonconformity_open(
        actor=qms, title="Батареи теряют ёмкость", owner=responsible, cause=supplier_cause, product=product,
        component=component, supplier=supplier,
    )


@pytest.fixture
def done_action(record, executor):
    action = action_plan(actor=record.owner, nonconformity=record, description="Входной контроль", owner=executor,
                         due_date=timezone.localdate())
    Action.objects.filter(pk=action.pk).update(status="done", done_at=DONE)
    return Action.objects.get(pk=action.pk)


def independent_count(dimension: str, record, start, end) -> int:
    """The same count in plain SQL: counted cards (not duplicates, not withdrawn) of the concern in [start, end)."""
    column = {"cause": "c.cause_id", "product": "c.product_id", "component": "c.component_id",
              "supplier": "COALESCE(c.supplier_id, k.supplier_id)"}[dimension]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM complaints_complaint c LEFT JOIN customers_component k ON k.id = c.component_id "
            f"WHERE {column} = %s AND c.state NOT IN ('duplicate', 'withdrawn') "
            f"AND c.received_at >= %s AND c.received_at < %s",
            [getattr(record, f"{dimension}_id"), start, end],
        )
        return cursor.fetchone()[0]


def test_each_concern_counts_the_cards_since_the_action_against_the_same_time_before(
    record, done_action, classified, supplier_cause, manufacturer_cause, product, component, supplier,
):
    other_supplier = Supplier.objects.create(name="Другой")
    other_component = Component.objects.create(name="Рама", product=product, supplier=other_supplier)
    before = classified(received_at=DONE - timedelta(days=10), cause=supplier_cause, component=component)
    also_before = classified(received_at=DONE - timedelta(days=29), supplier=supplier, cause=manufacturer_cause)
    after = classified(received_at=DONE + timedelta(days=5), cause=supplier_cause, product=product,
                       component=other_component)
    classified(received_at=DONE - timedelta(days=31), cause=supplier_cause)  # before the window
    classified(received_at=DONE + timedelta(days=3), cause=supplier_cause, state=State.DUPLICATE)
    classified(received_at=DONE + timedelta(days=3), supplier=supplier, state=State.WITHDRAWN)
    evidence = evidence_for(done_action, now=NOW)
    assert (evidence.before_from, evidence.done_at, evidence.until) == (DONE - timedelta(days=30), DONE, NOW)
    rows = {d.dimension: (d.before, d.after) for d in evidence.dimensions}
    assert rows == {
        "cause": ([before.number], [after.number]),
        "product": ([], [after.number]),
        "component": ([before.number], []),
        "supplier": ([also_before.number, before.number], []),  # the component's supplier counts as the card's
    }
    for d in evidence.dimensions:
        assert d.count_before == independent_count(d.dimension, record, evidence.before_from, DONE)
        assert d.count_after == independent_count(d.dimension, record, DONE, NOW)


def test_only_the_concerns_the_record_has_are_shown(qms, executor, classified, supplier_cause):
    record = nonconformity_open(actor=qms, title="Причина", cause=supplier_cause)
    action = action_plan(actor=qms, nonconformity=record, description="x", owner=executor,
                         due_date=timezone.localdate())
    Action.objects.filter(pk=action.pk).update(status="done", done_at=DONE)
    card = classified(received_at=DONE + timedelta(days=1), cause=supplier_cause)
    evidence = evidence_for(Action.objects.get(pk=action.pk), now=NOW)
    rows = [(d.dimension, d.label, d.after) for d in evidence.dimensions]
    assert rows == [("cause", str(supplier_cause), [card.number])]


def test_the_evidence_keeps_as_json_and_reads_back(done_action, classified, supplier_cause):
    classified(received_at=DONE + timedelta(days=1), cause=supplier_cause)
    evidence = evidence_for(done_action, now=NOW)
    assert Evidence.from_json(evidence.as_json()) == evidence


def test_an_action_not_done_has_no_evidence(record, executor):
    action = action_plan(actor=record.owner, nonconformity=record, description="x", owner=executor,
                         due_date=timezone.localdate())
    with pytest.raises(ValidationError):
        evidence_for(action)


def test_the_evidence_takes_the_same_queries_whatever_the_number_of_cards(
    done_action, classified, supplier_cause, component, django_assert_num_queries,
):
    classified(received_at=DONE + timedelta(days=1), cause=supplier_cause)
    with django_assert_num_queries(2):
        evidence_for(done_action, now=NOW)
    for day in range(1, 12):
        classified(received_at=DONE + timedelta(days=day), cause=supplier_cause, component=component)
        classified(received_at=DONE - timedelta(days=day), cause=supplier_cause)
    with django_assert_num_queries(2):
        assert evidence_for(done_action, now=NOW).dimensions[0].count_after == 12


def test_the_check_form_shows_the_evidence_with_links_to_the_cards(client, record, done_action, classified,
                                                                    supplier_cause, responsible):
    card = classified(received_at=timezone.now() - timedelta(days=1), cause=supplier_cause)
    client.force_login(responsible)
    body = client.get(reverse("capa:record", args=[record.number])).content.decode()
    assert reverse("capa:action_check", args=[record.number, done_action.pk]) in body
    assert f'href="{reverse("complaints:detail", args=[card.number])}"' in body
    assert 'data-dimension="supplier"' in body


def test_the_page_takes_the_same_queries_whatever_the_number_of_done_actions_and_cards(
    client, record, done_action, classified, supplier_cause, responsible, executor, django_assert_max_num_queries,
):
    client.force_login(responsible)
    url = reverse("capa:record", args=[record.number])
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for day in range(1, 6):
        classified(received_at=DONE + timedelta(days=day), cause=supplier_cause)
        action = action_plan(actor=responsible, nonconformity=record, description=f"#{day}", owner=executor,
                             due_date=timezone.localdate())
        Action.objects.filter(pk=action.pk).update(status="done", done_at=DONE + timedelta(days=day))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
