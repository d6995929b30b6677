"""An anonymisation rewrites timeline events a seal already covers: it reseals them in the same
transaction, so that `amends audit verify` still holds, and any other change still breaks it."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from amends.audit.models import Action, AuditEntry
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
