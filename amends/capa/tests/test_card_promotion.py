"""A complaint's measure promoted to a corrective action (capa/promotion.py): once, by the card's
people, its card told; a new nonconformity takes the card's concerns."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from amends.capa.choices import ActionKind, NonconformityState, Source
from amends.capa.models import Action, Nonconformity
from amends.capa.nonconformities import nonconformity_open
from amends.capa.promotion import card_concerns, measure_promote, nonconformity_open_from_cards
from amends.complaints.choices import EventKind, State
from amends.complaints.models import Measure
from amends.core.errors import AccessDenied


@pytest.fixture
def card(classified, responsible, product, component, supplier, supplier_cause):
    return classified(responsible=responsible, product=product, component=component, supplier=supplier,
                      cause=supplier_cause)


def measure_of(card, executor, days=10, text="Заменить партию аккумуляторов"):
    return Measure.objects.create(complaint=card, description=text, executor=executor,
                                  due_date=timezone.localdate() + timedelta(days=days))


def test_a_measure_promoted_opens_a_nonconformity_of_the_cards_concerns_and_the_card_says_so(
    card, responsible, executor, product, component, supplier, supplier_cause,
):
    measure = measure_of(card, executor)
    action = measure_promote(actor=responsible, measure=measure, title="Партия аккумуляторов")
    record = action.nonconformity
    assert (record.source, record.title, record.state) == (Source.MEASURE, "Партия аккумуляторов",
                                                           NonconformityState.OPEN)
    assert (record.product, record.component, record.supplier, record.cause) == (
        product, component, supplier, supplier_cause)
    assert list(record.complaints.all()) == [card]
    assert (action.kind, action.owner, action.due_date, action.measure) == (
        ActionKind.CORRECTIVE, executor, measure.due_date, measure)
    assert action.description == measure.description
    entries = card.events.filter(kind=EventKind.NONCONFORMITY).order_by("pk")
    assert [e.code for e in entries] == ["linked", "promoted"]
    with translation.override("en"):
        assert entries[1].text_display == (
            f"Measure “Заменить партию аккумуляторов” promoted to a corrective action of the nonconformity "
            f"{record.number}: Партия аккумуляторов")


def test_without_a_title_the_new_nonconformity_takes_the_measures_text(card, responsible, executor):
    action = measure_promote(actor=responsible, measure=measure_of(card, executor))
    assert action.nonconformity.title == "Заменить партию аккумуляторов"


def test_a_measure_is_promoted_once(card, responsible, qms, executor):
    measure = measure_of(card, executor)
    first = measure_promote(actor=responsible, measure=measure)
    with pytest.raises(ValidationError) as refused:
        measure_promote(actor=qms, measure=measure)
    assert first.nonconformity.number in refused.value.messages[0]
    assert Action.objects.count() == 1 and Nonconformity.objects.count() == 1


def test_promoted_into_a_chosen_nonconformity_the_card_is_linked_once(card, responsible, qms, executor):
    record = nonconformity_open(actor=qms, title="Аккумуляторы АКБ-Снаб")
    first = measure_promote(actor=responsible, measure=measure_of(card, executor), nonconformity=record)
    second = measure_promote(actor=responsible, measure=measure_of(card, executor, text="Проверить зарядку"),
                             nonconformity=record)
    assert first.nonconformity == second.nonconformity == record
    assert record.links.count() == 1
    assert Nonconformity.objects.count() == 1


def test_a_passed_due_date_must_be_given_again_and_nothing_is_opened(card, responsible, executor):
    measure = measure_of(card, executor, days=-3)
    with pytest.raises(ValidationError) as refused:
        measure_promote(actor=responsible, measure=measure)
    assert "due_date" in refused.value.message_dict
    with pytest.raises(ValidationError):
        measure_promote(actor=responsible, measure=measure, due_date=timezone.localdate() - timedelta(days=1))
    assert not Nonconformity.objects.exists() and not Action.objects.exists()
    later = timezone.localdate() + timedelta(days=30)
    assert measure_promote(actor=responsible, measure=measure, due_date=later).due_date == later


def test_a_nonconformity_past_planning_takes_no_promoted_action_and_links_nothing(card, responsible, qms, executor):
    record = nonconformity_open(actor=qms, title="Аккумуляторы")
    Nonconformity.objects.filter(pk=record.pk).update(state=NonconformityState.ACTIONS_DONE)
    record.refresh_from_db()
    with pytest.raises(ValidationError):
        measure_promote(actor=responsible, measure=measure_of(card, executor), nonconformity=record)
    assert not record.links.exists() and not Action.objects.exists()


@pytest.mark.parametrize("who", ["executor", "operator", "manager"])
def test_only_the_cards_responsible_person_or_the_qms_head_promotes(card, executor, operator, manager, who):
    actor = {"executor": executor, "operator": operator, "manager": manager}[who]
    with pytest.raises(AccessDenied):
        measure_promote(actor=actor, measure=measure_of(card, executor))
    assert not Nonconformity.objects.exists()


def test_a_withdrawn_cards_measure_is_refused_with_a_message(classified, responsible, executor):
    card = classified(responsible=responsible, state=State.WITHDRAWN)
    with pytest.raises(ValidationError) as refused:
        measure_promote(actor=responsible, measure=measure_of(card, executor))
    assert card.number in refused.value.messages[0]
    assert not Nonconformity.objects.exists()


def test_cards_opened_together_keep_only_the_concerns_they_share(classified, qms, product, supplier, component):
    first = classified(product=product, supplier=supplier, component=component)
    second = classified(product=product, supplier=supplier)
    assert card_concerns([first, second]) == {"product": product, "supplier": supplier}
    record = nonconformity_open_from_cards(actor=qms, cards=[first, second], title="Батареи")
    assert (record.source, record.product, record.supplier, record.component) == (
        Source.CARDS, product, supplier, None)
    assert set(record.complaints.all()) == {first, second}
