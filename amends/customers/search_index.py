"""The contact's document in the full-text index, for the customer look-up (`contact_search`).

A contact's document: the person's name and organisation (weighed most), the e-mail, the phone. A
contact whose personal data was erased has none. Saving a contact or its organisation re-indexes
it and deleting it forgets it (model signals, connected from CustomersConfig.ready()); privacy
re-indexes the contacts it anonymises, as it writes them by update(). A bulk load (the bench) is
followed by `amends search_index`; `--all` rebuilds the whole index.
"""

from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save

from amends.search.engine import (
    documents_delete,
    documents_orphaned_delete,
    documents_replace,
    index_optimize,
    index_recreate,
    indexed_sql,
)
from amends.search.indexes import CONTACTS
from amends.search.rebuild import register_filler

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
    contacts = Contact.objects.filter(erased_at__isnull=True).order_by("pk")
    if every_contact:
        index_recreate(CONTACTS)
    else:
        table = connection.ops.quote_name(Contact._meta.db_table)
        indexed = RawSQL(indexed_sql(CONTACTS, f"{table}.id"), [], output_field=BooleanField())
        contacts = contacts.alias(indexed=indexed).filter(indexed=False)
    done, last = 0, 0
    while chunk := list(contacts.filter(pk__gt=last).values_list("pk", flat=True)[:CHUNK]):
        done += contacts_index(chunk)
        last = chunk[-1]
        if progress:
            progress(done)
    if every_contact:
        documents_orphaned_delete(CONTACTS, Contact._meta.db_table)
    if every_contact or done > CHUNK * 10:
        index_optimize(CONTACTS)
    return done


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
