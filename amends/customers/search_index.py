"""The contact's document in the full-text index, for the customer look-up (`contact_search`).

A contact's document: the person's name and organisation (weighed most), the e-mail, the phone. A
contact whose personal data was erased has none. Saving a contact or its organisation re-indexes
it and deleting it forgets it (model signals, connected from CustomersConfig.ready()); privacy
re-indexes the contacts it anonymises, as it writes them by update(). A bulk load (the bench) is
followed by `amends search_index`; `--all` rebuilds the whole index.
"""

from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from amends.search.engine import (
    documents_delete,
    documents_replace,
)
from amends.search.indexes import CONTACTS
from amends.search.rebuild import index_fill, register_filler

from .models import Contact, Organisation

CHUNK = 2_000


def _documents(ids: list[int]) -> dict[int, tuple[str, str, str]]:
    rows = Contact.objects.filter(pk__in=ids, erased_at__isnull=True).values_list(
        "pk", "full_name", "organisation__name", "email", "phone", "phone_digits",
    )
    return {
        pk: (f"{name} {organisation or ''}", email, f"{phone} {digits}")
        for pk, name, organisation, email, phone, digits in rows
    }


def contacts_index(contact_ids: Iterable[int]) -> int:
    """Index or re-index these contacts (any number, by chunks); an erased or deleted one is
    forgotten. Returns how many documents were written."""
    ids = list(contact_ids)
    done = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        with transaction.atomic():
            documents = _documents(chunk)
            done += documents_replace(CONTACTS, documents)
            documents_delete(CONTACTS, set(chunk) - documents.keys())
    return done


def contacts_fill(every_contact: bool, progress: Callable[[int], None] | None = None) -> int:
    """Index the contacts missing from the index, or every contact again (`search_index --all`)."""
    return index_fill(CONTACTS, Contact.objects.filter(erased_at__isnull=True), contacts_index,
                      every=every_contact, progress=progress, chunk=CHUNK)


def _contact_saved(sender, instance: Contact, **kwargs) -> None:
    contacts_index([instance.pk])


def _contact_deleted(sender, instance: Contact, **kwargs) -> None:
    documents_delete(CONTACTS, [instance.pk])


def _organisation_saved(sender, instance: Organisation, created: bool, **kwargs) -> None:
    if not created:
        contacts_index(instance.contacts.values_list("pk", flat=True))


def register() -> None:
    """Called from CustomersConfig.ready()."""
    register_filler("contacts", CONTACTS, contacts_fill)
    post_save.connect(_contact_saved, sender=Contact, dispatch_uid="search_index.contact")
    post_delete.connect(_contact_deleted, sender=Contact, dispatch_uid="search_index.contact_deleted")
    post_save.connect(_organisation_saved, sender=Organisation, dispatch_uid="search_index.organisation")
