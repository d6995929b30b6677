import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from amends.capa.choices import NonconformityState, Source
from amends.capa.lifecycle import ANALYSE, CLOSE, REOPEN
from amends.capa.models import Nonconformity, NonconformityEvent, RecordEventAppendOnly
from amends.capa.nonconformities import (
    nonconformity_appoint,
    nonconformity_link,
    nonconformity_open,
    nonconformity_step,
    nonconformity_unlink,
)
from amends.complaints.choices import EventKind, State
from amends.core.errors import AccessDenied, TransitionNotAllowed


def test_numbers_run_per_year_in_order(qms):
    first = nonconformity_open(actor=qms, title="Батареи теряют ёмкость")
    second = nonconformity_open(actor=qms, title="Курьер опаздывает")
    year = timezone.localdate().year
    assert (first.number, second.number) == (f"NC-{year}-0001", f"NC-{year}-0002")
    assert first.state == NonconformityState.OPEN
    assert first.analysis_due is not None and first.plan_due > first.analysis_due


def test_only_the_qms_head_opens_one_by_hand(responsible):
    with pytest.raises(AccessDenied):
        nonconformity_open(actor=responsible, title="x")
    assert not Nonconformity.objects.exists()


def test_the_responsible_person_opens_one_from_their_card_and_the_card_tells(classified, responsible):
    card = classified(responsible=responsible)
    record = nonconformity_open(actor=responsible, title="Батареи", source=Source.CARDS, complaints=[card])
    assert list(record.complaints.all()) == [card]
    entry = card.events.get(kind=EventKind.NONCONFORMITY)
    with translation.override("en"):
        assert entry.text_display == f"Linked to the nonconformity {record.number}: Батареи"


@pytest.mark.parametrize("state", [State.DUPLICATE, State.WITHDRAWN])
def test_a_duplicate_or_withdrawn_card_is_refused_with_a_message_and_nothing_is_linked(classified, qms, state):
    good, bad = classified(), classified(state=state)
    record = nonconformity_open(actor=qms, title="Батареи")
    with pytest.raises(ValidationError) as refused:
        nonconformity_link(actor=qms, nonconformity=record, complaints=[good, bad])
    assert bad.number in refused.value.messages[0]
    assert not record.links.exists()


def test_linking_twice_links_once_and_unlinking_is_recorded(classified, qms):
    card = classified()
    record = nonconformity_open(actor=qms, title="Батареи")
    assert nonconformity_link(actor=qms, nonconformity=record, complaints=[card]) == [card]
    assert nonconformity_link(actor=qms, nonconformity=record, complaints=[card]) == []
    assert nonconformity_unlink(actor=qms, nonconformity=record, complaint=card)
    assert not record.links.exists()
    assert [e.code for e in card.events.filter(kind=EventKind.NONCONFORMITY)] == ["linked", "unlinked"]


def test_steps_follow_the_table_and_reopening_counts(qms, responsible):
    record = nonconformity_open(actor=qms, title="Батареи")
    with pytest.raises(TransitionNotAllowed):
        nonconformity_step(actor=qms, nonconformity=record, step=CLOSE)
    with pytest.raises(AccessDenied):
        nonconformity_step(actor=responsible, nonconformity=record, step=ANALYSE)
    nonconformity_appoint(actor=qms, nonconformity=record, owner=responsible)
    record = nonconformity_step(actor=responsible, nonconformity=record, step=ANALYSE)
    assert record.state == NonconformityState.ANALYSED
    with pytest.raises(TransitionNotAllowed):
        nonconformity_step(actor=qms, nonconformity=record, step=REOPEN)
    with translation.override("en"):
        assert [e.text_display for e in record.events.all()] == [
            "Nonconformity opened (Opened by a person): Батареи", "Owner appointed: Responsible",
            "Status: Analysed.",
        ]


def test_the_timeline_is_append_only(qms):
    record = nonconformity_open(actor=qms, title="Батареи")
    entry = NonconformityEvent.objects.get(nonconformity=record)
    entry.text = "rewritten"
    with pytest.raises(RecordEventAppendOnly):
        entry.save()
