"""An anonymisation rewrites timeline events a seal already covers: it reseals them in the same
transaction, so that `amends audit verify` still holds, and any other change still breaks it."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from amends.audit.models import Action, AuditEntry
from amends.audit.services import audit_record_object
from amends.complaints.events import timeline_seal
from amends.complaints.models import TimelineEvent
from amends.privacy.services import personal_data_erase, retention_anonymise

SIX_YEARS = timedelta(days=6 * 366)


def verify() -> None:
    call_command("audit", "verify", stdout=__import__("io").StringIO())


def tamper(event_pk: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TimelineEvent._meta.db_table} SET text = %s WHERE id = %s", ["forged", event_pk])


def test_an_erasure_of_sealed_events_keeps_verify_holding_and_a_later_edit_breaks_it(person, qms):
    seal = timeline_seal(now=timezone.now() + timedelta(minutes=5))
    assert seal is not None
    sealed = TimelineEvent.objects.filter(complaint=person.web, pk__lte=seal.changes["last_pk"]).first()
    assert sealed is not None

    erasure = personal_data_erase(contact=person.contact, actor=qms, reason="Letter no. 7")
    reseal = AuditEntry.objects.get(action=Action.RESEAL)
    assert reseal.object_type == "complaints.timelineevent"
    assert reseal.changes["reason"] == {"type": "privacy.erasure", "pk": erasure.pk}
    assert [item["seal"] for item in reseal.changes["seals"]] == [seal.seq]
    verify()

    tamper(sealed.pk)
    with pytest.raises(CommandError, match=f"entry no. {seal.seq} "):
        verify()


def test_retention_reseals_too_and_a_later_edit_breaks_verify(person):
    seal = timeline_seal(now=timezone.now() + timedelta(minutes=5))
    assert seal is not None
    retention_anonymise(now=timezone.now() + SIX_YEARS)
    assert AuditEntry.objects.filter(action=Action.RESEAL).exists()
    verify()

    tamper(TimelineEvent.objects.filter(complaint=person.web).order_by("pk").first().pk)
    with pytest.raises(CommandError, match=f"entry no. {seal.seq} "):
        verify()


def test_an_erasure_of_unsealed_events_appends_no_reseal(person, qms):
    personal_data_erase(contact=person.contact, actor=qms)
    assert not AuditEntry.objects.filter(action=Action.RESEAL).exists()
    verify()


def test_an_audit_entry_naming_the_person_is_erased_and_resealed_and_a_later_edit_breaks_verify(person, qms):
    # What an admin edit of the contact leaves in the chain.
    entry = audit_record_object(actor=qms, action=Action.CHANGE, obj=person.contact,
                                changes={"email": ["old@example.ru", "anna.petrova@example.ru"]})
    personal_data_erase(contact=person.contact, actor=qms)
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert "anna" not in str(entry.changes).lower() and entry.object_repr == "[erased]"
    verify()

    AuditEntry._base_manager.filter(pk=entry.pk).update(object_repr="forged")
    with pytest.raises(CommandError, match=f"entry no. {entry.seq} .*content does not match"):
        verify()
