"""Erasure on request and the retention policy (152-FZ art. 21, GDPR art. 17 and 5(1)(e))."""

from dataclasses import asdict
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from amends.accounts.models import User
from amends.accounts.roles import Role
from amends.complaints.choices import FINAL_STATES
from amends.complaints.models import Complaint
from amends.complaints.search_index import complaints_index
from amends.customers.models import Contact
from amends.customers.search_index import contacts_index

from .anonymise import (
    Counts,
    Rewritten,
    card_anonymise,
    contact_anonymise,
    inbound_unlinked_anonymise,
    passages_of,
    rows_reseal,
    traces_anonymise,
    traces_find,
)
from .mailfiles import mail_files_anonymise
from .models import AnonymisedCard, Erasure, ErasureKind
from .redact import Identity, Redactor
from .selectors import person_complaints, person_contacts

ERASED_NOTE = "Personal data erased on the person's request."
RETENTION_NOTE = "Personal data erased: the retention period is over."
RETENTION_BATCH = 50  # cards per transaction


def access_personal_data(user: User) -> None:
    """Exporting or erasing a person's data is for the head of the QMS and the administrator."""
    if not user.has_role(Role.QMS_HEAD, Role.ADMINISTRATOR):
        raise PermissionDenied("Only the head of the QMS or an administrator handles personal data requests.")


def personal_data_erase(*, contact: Contact, actor: User, reason: str = "") -> Erasure:
    """Anonymise the person everywhere: their contact rows (the same e-mail or phone counts as the same
    person), every card they filed, the raw messages and mail, and any other row naming them. The
    cards, their states, dates and classification stay for the statistics."""
    access_personal_data(actor)
    traces = traces_find(Identity.of(person_contacts(contact)))
    with transaction.atomic():
        contacts = list(person_contacts(contact).select_for_update(of=("self",)))
        complaints = list(person_complaints(contacts))
        identity = Identity.of(contacts)
        passages = passages_of(complaints)
        redactor = Redactor(identity, passages)
        # Other people's rows and files: no lone first names.
        elsewhere = Redactor(identity, passages, name_parts=False)
        # The record of the erasure must not name the person either, even if the reason typed does.
        erasure = Erasure.objects.create(kind=ErasureKind.REQUEST, requested_by=actor, reason=redactor.text(reason))
        erasure.contacts.set(contacts)
        counts, rewritten = Counts(), Rewritten()
        for complaint in complaints:
            card_anonymise(complaint, redactor, erasure=erasure, actor=actor, note=ERASED_NOTE, counts=counts,
                           rewritten=rewritten)
        for person in contacts:
            contact_anonymise(person)
        counts.contacts = len(contacts)
        inbound_unlinked_anonymise(elsewhere, counts)
        traces_anonymise(traces, elsewhere, counts, rewritten)
        rows_reseal(rewritten, erasure=erasure, actor=actor)
        complaints_index(complaint.pk for complaint in complaints)  # the search index forgets them too
        contacts_index(person.pk for person in contacts)
        # Files outside the database cannot roll back: they go once the rest is committed.
        transaction.on_commit(lambda: _mail_files(erasure.pk, elsewhere))
        Erasure.objects.filter(pk=erasure.pk).update(scope=asdict(counts))
    erasure.refresh_from_db()
    return erasure


def _mail_files(erasure_pk: int, redactor: Redactor) -> None:
    removed = mail_files_anonymise(redactor)
    if removed:
        erasure = Erasure.objects.get(pk=erasure_pk)
        Erasure.objects.filter(pk=erasure_pk).update(scope=erasure.scope | {"mail_files": removed})


def retention_years() -> int:
    return int(getattr(settings, "AMENDS_RETENTION_YEARS", 5))


def retention_due(*, now: datetime | None = None, years: int | None = None) -> QuerySet[Complaint]:
    """Closed cards (closed, duplicate, withdrawn) last changed more than `years` ago and not anonymised yet."""
    now = now or timezone.now()
    years = retention_years() if years is None else years
    if years <= 0:
        return Complaint.objects.none()
    cutoff = now - timedelta(days=round(365.25 * years))
    return (
        Complaint.objects.filter(state__in=FINAL_STATES)
        .alias(ended=Coalesce("closed_at", "updated_at"))
        .filter(ended__lt=cutoff)
        .exclude(Exists(AnonymisedCard.objects.filter(complaint=OuterRef("pk"))))
        .select_related("contact")
        .order_by("pk")
    )


def retention_anonymise(
    *, now: datetime | None = None, years: int | None = None, limit: int = 500, actor: User | None = None,
) -> Erasure | None:
    """Anonymise up to `limit` cards whose retention period is over (the worker's daily job takes the
    rest on its next runs). A contact is anonymised with its last card: one with a card still kept is not.
    Cards go in small transactions, so that registrations are not kept waiting behind the write lock;
    a run cut short leaves whole cards done, and the next run takes the rest."""
    years = retention_years() if years is None else years
    complaints = list(retention_due(now=now, years=years)[:limit])
    if not complaints:
        return None
    erasure = Erasure.objects.create(
        kind=ErasureKind.RETENTION, requested_by=actor, reason=f"Retention policy: {years} years after closing.",
    )
    counts = Counts()
    for start in range(0, len(complaints), RETENTION_BATCH):
        with transaction.atomic():
            rewritten = Rewritten()
            for complaint in complaints[start:start + RETENTION_BATCH]:
                contacts = [complaint.contact] if complaint.contact is not None else []
                redactor = Redactor(Identity.of(contacts), passages_of([complaint]))
                card_anonymise(complaint, redactor, erasure=erasure, actor=actor, note=RETENTION_NOTE, counts=counts,
                               rewritten=rewritten)
            rows_reseal(rewritten, erasure=erasure, actor=actor)
            Erasure.objects.filter(pk=erasure.pk).update(scope=asdict(counts))
    touched = {complaint.contact_id for complaint in complaints if complaint.contact_id is not None}
    with transaction.atomic():
        done = list(Contact.objects.filter(pk__in=touched).exclude(
            Exists(Complaint.objects.filter(contact=OuterRef("pk")).exclude(
                Exists(AnonymisedCard.objects.filter(complaint=OuterRef("pk"))),
            )),
        ))
        for person in done:
            contact_anonymise(person)
        counts.contacts = len(done)
        erasure.contacts.set(done)
        # The search index forgets them too: these cards, and the earlier ones of the people anonymised now.
        anonymised = Complaint.objects.filter(Q(pk__in=[c.pk for c in complaints]) | Q(contact__in=done))
        complaints_index(anonymised.values_list("pk", flat=True))
        contacts_index(person.pk for person in done)
        Erasure.objects.filter(pk=erasure.pk).update(scope=asdict(counts))
    erasure.refresh_from_db()
    return erasure
