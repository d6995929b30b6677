"""The customer look-up answers from the full-text index: its words in any form, ranked, in
Russian, English and Armenian; the exact e-mail and phone matches first; an erased person never."""

import pytest
from django.core.management import call_command
from django.db import connection

from amends.customers.models import Contact, Organisation
from amends.customers.search_index import contacts_index
from amends.customers.selectors import contact_search
from amends.customers.services import contact_create
from amends.privacy.services import personal_data_erase
from amends.search.indexes import CONTACTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(contact):
    return {
        "ivanov": contact,
        "kuznetsova": contact_create(full_name="Кузнецова Ольга Петровна", phone="8 (495) 700-12-34",
                                     email="o.kuznetsova@stroi.example", organisation_name="АО «Стройматериалы»"),
        "walker": contact_create(full_name="Jane Walker", phone="+44 20 7946 0958",
                                 email="jane.walker@harbour.example", organisation_name="Harbour Logistics"),
        "hakobyan": contact_create(full_name="Հակոբյան Արամ", phone="+374 10 555 777",
                                   email="aram@yerevan.example", organisation_name="Արարատ ՍՊԸ"),
    }


def found(people, query, **kwargs) -> list[str]:
    by_pk = {c.pk: key for key, c in people.items()}
    return [by_pk.get(c.pk, c.full_name) for c in contact_search(query, **kwargs)]


def documents() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {CONTACTS.table}")
        return cursor.fetchone()[0]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Кузнецовой", ["kuznetsova"]),  # another case of the name
        ("ольга петровна", ["kuznetsova"]),
        ("стройматериалов", ["kuznetsova"]),
        ("Иванович Ромашка", ["ivanov"]),
        ("walker", ["walker"]),
        ("HARBOUR logistics", ["walker"]),
        ("Հակոբյան", ["hakobyan"]),
        ("արամ", ["hakobyan"]),
        ("Արարատ", ["hakobyan"]),
    ],
)
def test_by_words_of_a_name_or_organisation(people, query, expected):
    assert found(people, query) == expected


@pytest.mark.parametrize(
    "query, expected",
    [("Кузн", ["kuznetsova"]), ("ольга пет", ["kuznetsova"]), ("Walk", ["walker"]), ("Հակո", ["hakobyan"])],
)
def test_the_last_word_as_it_is_being_typed(people, query, expected):
    assert found(people, query) == expected


@pytest.mark.parametrize("query", ["Ку", "Wa", "Jane 79"])
def test_too_short_a_start_or_digits_are_whole_words(people, query):
    assert found(people, query) == []


@pytest.mark.parametrize(
    "query, expected",
    [
        ("jane.walker@harbour.example", ["walker"]),
        ("O.Kuznetsova@Stroi.example", ["kuznetsova"]),
        ("yerevan", ["hakobyan"]),
    ],
)
def test_by_email(people, query, expected):
    assert found(people, query) == expected


@pytest.mark.parametrize("query", ["8 495 700 12 34", "+7 (495) 700-12-34", "700-12-34", "74957001234"])
def test_by_phone(people, query):
    assert found(people, query) == ["kuznetsova"]


def test_the_exact_email_comes_before_the_words(people):
    namesake = contact_create(full_name="Walker Harbour", email="someone@else.example")
    result = contact_search("jane.walker@harbour.example")
    assert result[0] == people["walker"]
    assert namesake not in result


def test_the_name_weighs_more_than_the_email(people):
    by_mail = contact_create(full_name="Петров Сергей", email="walker@post.example")
    people["by_mail"] = by_mail
    assert found(people, "walker") == ["walker", "by_mail"]


def test_a_renamed_contact_and_organisation_are_found_by_their_new_names(people):
    kuznetsova = people["kuznetsova"]
    kuznetsova.full_name = "Смирнова Ольга Петровна"
    kuznetsova.save()
    organisation = Organisation.objects.get(pk=kuznetsova.organisation_id)
    organisation.name = "АО «Кирпичный завод»"
    organisation.save()
    assert found(people, "Кузнецова") == []
    assert found(people, "смирнова") == ["kuznetsova"]
    assert found(people, "кирпичный завод") == ["kuznetsova"]
    assert found(people, "стройматериалы") == []


def test_an_erased_contact_is_not_found(people, qms):
    personal_data_erase(contact=people["kuznetsova"], actor=qms)
    for query in ("Кузнецова", "Стройматериалы", "o.kuznetsova@stroi.example", "8 495 700 12 34", "ольга"):
        assert found(people, query) == [], query


@pytest.mark.parametrize(
    "query",
    ['"', '" OR "', "NEAR(a b)", "walker*", "-walker", "^walker", "a:b", "()", "{name}: x", "'; DROP TABLE x; --",
     "%_%", "\\", "\u200b\u200b", "😀😀", "AND OR NOT", "walker\x00", "١٢٣٤٥", "name:walker"],
)
def test_odd_characters_never_raise(people, query):
    result = contact_search(query)
    assert all(isinstance(contact, Contact) for contact in result)


def test_the_command_rebuilds_the_index(people):
    # Contacts written without their signals (as a bulk load writes them): not in the index.
    Contact.objects.bulk_create([Contact(full_name=f"Гарегин Нжде {n}", email=f"nzhdeh{n}@bulk.example")
                                 for n in range(3)])
    Contact.objects.filter(pk=people["walker"].pk).update(full_name="Jane Porter")
    assert found(people, "Гарегин") == []
    call_command("search_index", verbosity=0)
    assert len(contact_search("Гарегин")) == 3
    assert found(people, "porter") == []  # only the missing ones without --all
    call_command("search_index", "--all", verbosity=0)
    assert found(people, "porter") == ["walker"]
    assert found(people, "walker") == ["walker"]  # still by the e-mail
    assert documents() == Contact.objects.count()


def test_a_deleted_contact_is_forgotten(people):
    walker = people["walker"]
    Contact.objects.filter(pk=walker.pk).delete()
    assert documents() == 3
    assert found(people, "walker") == []
    contacts_index([walker.pk])  # asked again for a contact no longer there: nothing to write
    assert documents() == 3


def test_the_digits_of_an_email_are_no_phone(people):
    # "7001234" is in Kuznetsova's phone, but an e-mail typed is looked for as an e-mail.
    assert found(people, "someone7001234@other.example") == []
