import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from amends.capa.choices import NonconformityKind, NonconformityState
from amends.capa.models import Nonconformity
from amends.capa.nonconformities import nonconformity_open, nonconformity_reopen, nonconformity_update
from amends.core.errors import AccessDenied


def test_an_update_writes_one_entry_with_what_changed_and_nothing_for_no_change(qms, supplier, product):
    record = nonconformity_open(actor=qms, title="Батареи", supplier=supplier)
    unchanged = nonconformity_update(actor=qms, nonconformity=record, title="Батареи", supplier=supplier,
                                     product=None, description="")
    assert unchanged.version == record.version and record.events.count() == 1
    long = "Жалобы на ёмкость. " * 20
    changed = nonconformity_update(actor=qms, nonconformity=record, title="Батареи АКБ", product=product,
                                   supplier=None, kind=NonconformityKind.POTENTIAL, description=long)
    assert (changed.title, changed.product, changed.supplier, changed.version) == (
        "Батареи АКБ", product, None, record.version + 1)
    entry = record.events.get(code="changed")
    assert entry.params["changes"][-1] == {"field": "description", "old": "", "new": long}  # kept whole
    with translation.override("en"):
        text = entry.text_display
    assert text.startswith("Changed: Title: “Батареи” → “Батареи АКБ”; Product: “—” → “")
    assert "Kind: “Actual” → “Potential”" in text and len(text) < len(long) + 200  # cut on the timeline


def test_an_update_is_the_managers_and_names_only_what_may_change(qms, responsible, executor):
    record = nonconformity_open(actor=qms, title="Батареи", owner=responsible)
    with pytest.raises(AccessDenied):
        nonconformity_update(actor=executor, nonconformity=record, title="x")
    with pytest.raises(TypeError):
        nonconformity_update(actor=qms, nonconformity=record, state=NonconformityState.CLOSED)
    with pytest.raises(ValidationError):
        nonconformity_update(actor=responsible, nonconformity=record, title="")
    assert Nonconformity.objects.get(pk=record.pk).title == "Батареи"


def test_a_reopen_without_a_reason_is_refused(qms):
    record = nonconformity_open(actor=qms, title="Батареи")
    Nonconformity.objects.filter(pk=record.pk).update(state=NonconformityState.CLOSED)
    with pytest.raises(ValidationError):
        nonconformity_reopen(actor=qms, nonconformity=record, reason=" ")
    assert Nonconformity.objects.get(pk=record.pk).state == NonconformityState.CLOSED
