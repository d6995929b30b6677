from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from amends.complaints.choices import Channel, EventKind, State
from amends.complaints.models import Complaint, TimelineEvent
from amends.complaints.services import complaint_register, complaint_transition
from amends.customers.services import contact_create
from amends.jobs.schedule import PERIODIC
from amends.jobs.tasks import retention_anonymise_task
from amends.privacy import services
from amends.privacy.models import AnonymisedCard, Erasure, ErasureKind
from amends.privacy.services import retention_anonymise

from .conftest import EMAIL, EMAIL_TEXT, NAME

SIX_YEARS = timedelta(days=6 * 366)


def test_a_card_closed_longer_ago_than_the_period_is_anonymised_and_an_open_one_is_not(person):
    erasure = retention_anonymise(now=timezone.now() + SIX_YEARS)

    person.web.refresh_from_db()
    person.mailed.refresh_from_db()
    person.contact.refresh_from_db()
    assert person.web.wording == "[erased]" and person.web.state == State.CLOSED and person.web.satisfaction == 4
    assert NAME not in person.web.answer_text
    assert EMAIL_TEXT in person.mailed.wording  # still open: kept whole
    assert person.contact.full_name == NAME  # the contact still has a card that is kept
    assert erasure.kind == ErasureKind.RETENTION and erasure.requested_by is None
    assert erasure.scope["numbers"] == [person.web.number] and erasure.scope["contacts"] == 0
    audit = TimelineEvent.objects.filter(complaint=person.web, kind=EventKind.PERSONAL_DATA).get()
    assert "retention" in audit.text
    assert retention_anonymise(now=timezone.now() + SIX_YEARS) is None  # done once


def test_the_contact_goes_with_its_last_card(person, qms):
    complaint_transition(complaint=person.mailed, name="withdraw", actor=qms, comment="Отозвана.")
    erasure = retention_anonymise(now=timezone.now() + SIX_YEARS)

    person.contact.refresh_from_db()
    assert person.contact.full_name == "[erased]" and person.contact.email == "" and person.contact.phone == ""
    assert erasure.scope["cards"] == 2 and erasure.scope["contacts"] == 1


def test_nothing_is_due_within_the_period_or_with_the_policy_off(person, settings):
    assert retention_anonymise(now=timezone.now() + timedelta(days=4 * 365)) is None
    settings.AMENDS_RETENTION_YEARS = 0
    assert retention_anonymise(now=timezone.now() + SIX_YEARS) is None


def test_the_dry_run_lists_what_would_be_anonymised_and_changes_nothing(person):
    out = StringIO()
    with time_machine.travel(timezone.now() + SIX_YEARS, tick=False):
        call_command("retention", "--dry-run", stdout=out)
    assert person.web.number in out.getvalue() and person.mailed.number not in out.getvalue()
    assert "1 cards closed more than 5 years ago would be anonymised." in out.getvalue()
    assert Complaint.objects.get(pk=person.web.pk).wording == person.web.wording
    assert not Erasure.objects.exists()


def test_the_worker_runs_the_policy_daily(person):
    assert any(job.task == "amends.jobs.tasks.retention_anonymise_task" and job.every == timedelta(days=1)
               for job in PERIODIC)
    with time_machine.travel(timezone.now() + SIX_YEARS, tick=False):
        result = retention_anonymise_task.call()
    assert result["numbers"] == [person.web.number]
    with time_machine.travel(timezone.now() + SIX_YEARS, tick=False):
        call_command("retention", stdout=StringIO())
    assert Erasure.objects.count() == 1


def test_a_run_cut_short_keeps_the_cards_it_finished_and_the_next_run_does_the_rest(person, qms, monkeypatch):
    complaint_transition(complaint=person.mailed, name="withdraw", actor=qms, comment="Отозвана.")
    monkeypatch.setattr(services, "RETENTION_BATCH", 1)
    real, calls = services.card_anonymise, []

    def dies_on_the_second(complaint, *args, **kwargs):
        calls.append(complaint.pk)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        real(complaint, *args, **kwargs)

    monkeypatch.setattr(services, "card_anonymise", dies_on_the_second)
    with pytest.raises(RuntimeError):
        retention_anonymise(now=timezone.now() + SIX_YEARS)
    assert list(AnonymisedCard.objects.values_list("complaint", flat=True)) == [calls[0]]

    monkeypatch.setattr(services, "card_anonymise", real)
    erasure = retention_anonymise(now=timezone.now() + SIX_YEARS)
    assert erasure.scope["cards"] == 1 and erasure.scope["contacts"] == 1


def test_a_provisional_row_with_the_same_e_mail_neither_keeps_nor_goes_with_the_contact(person, qms):
    # Her later web-form card, still open, sits on a provisional contact row of its own.
    provisional = contact_create(full_name="А. Петрова", email=EMAIL, provisional=True)
    complaint_register(actor=qms, channel=Channel.WEB_FORM, contact=provisional, wording="Ещё одна жалоба.")
    complaint_transition(complaint=person.mailed, name="withdraw", actor=qms, comment="Отозвана.")

    erasure = retention_anonymise(now=timezone.now() + SIX_YEARS)

    # Retention counts the cards of each contact row: hers are all done, the provisional one's is kept.
    person.contact.refresh_from_db()
    provisional.refresh_from_db()
    assert person.contact.full_name == "[erased]" and provisional.email == EMAIL
    assert erasure.scope["contacts"] == 1 and list(erasure.contacts.all()) == [person.contact]
