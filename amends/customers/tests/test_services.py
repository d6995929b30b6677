"""Creating contacts: the organisation is found or created by name; bad data is refused."""

import pytest
from django.core.exceptions import ValidationError

from amends.customers.models import Contact, Organisation
from amends.customers.services import contact_create


def test_a_contact_with_a_new_organisation_creates_it(db):
    contact = contact_create(
        full_name="  Иванов Иван ", phone=" +7 (912) 345-67-89 ", email=" Ivanov@Example.RU ",
        address=" Москва ", position=" Директор ", organisation_name="  ООО «Ромашка» ",
    )
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.full_name, stored.phone, stored.address, stored.position) == (
        "Иванов Иван", "+7 (912) 345-67-89", "Москва", "Директор",
    )
    assert stored.email == "ivanov@example.ru"
    assert stored.phone_digits == "79123456789"
    assert stored.organisation.name == "ООО «Ромашка»"
    assert Organisation.objects.count() == 1


def test_an_existing_organisation_is_reused_by_name_whatever_the_case(db):
    first = contact_create(full_name="Smith", organisation_name="ACME Corp")
    second = contact_create(full_name="Jones", organisation_name=" acme CORP ")
    assert second.organisation == first.organisation
    assert Organisation.objects.count() == 1
    assert Organisation.objects.get().name == "ACME Corp"


def test_a_cyrillic_organisation_is_reused_by_its_exact_name(contact):
    other = contact_create(full_name="Петров", organisation_name="ООО «Ромашка»")
    assert other.organisation == contact.organisation
    assert Organisation.objects.count() == 1


def test_an_organisation_given_as_an_object_wins_over_the_name(db):
    acme = Organisation.objects.create(name="ACME Corp")
    contact = contact_create(full_name="Smith", organisation=acme, organisation_name="Other")
    assert contact.organisation == acme
    assert not Organisation.objects.filter(name="Other").exists()


@pytest.mark.parametrize("organisation_name", ["", "   "])
def test_a_private_person_has_no_organisation(db, organisation_name):
    contact = contact_create(full_name="Сидорова Анна", organisation_name=organisation_name)
    assert contact.organisation is None
    assert not Organisation.objects.exists()


@pytest.mark.parametrize("email", ["not-an-email", "ivanov@", "@example.ru", "a b@example.ru"])
def test_an_invalid_email_is_refused_and_nothing_is_created(db, email):
    with pytest.raises(ValidationError) as caught:
        contact_create(full_name="Иванов", email=email, organisation_name="Новая фирма")
    assert "email" in caught.value.message_dict
    assert not Contact.objects.exists()
    assert not Organisation.objects.exists()


@pytest.mark.parametrize("full_name", ["", "   "])
def test_a_contact_needs_a_name(db, full_name):
    with pytest.raises(ValidationError) as caught:
        contact_create(full_name=full_name, phone="+7 900 000-00-00")
    assert "full_name" in caught.value.message_dict
    assert not Contact.objects.exists()
