"""Finding a contact as the operator types it: phone in any format, e-mail, name, organisation."""

import pytest

from amends.customers.selectors import contact_search
from amends.customers.services import contact_create


@pytest.fixture
def people(contact):
    """The shared `contact` (Иванов, +7 (912) 345-67-89, ООО «Ромашка») and three others."""
    return {
        "ivanov": contact,
        "petrova": contact_create(full_name="Петрова Мария Сергеевна", phone="8-903-111-22-33",
                                  email="M.Petrova@Mail.example"),
        "smith": contact_create(full_name="John Smith", phone="+1 212 555 0100",
                                email="john@acme.example", organisation_name="ACME Corp"),
        "sidorov": contact_create(full_name="Сидоров Пётр", organisation_name="ООО «Ромашка»"),
    }


def found(people, query, **kwargs) -> set[str]:
    by_pk = {c.pk: key for key, c in people.items()}
    return {by_pk[c.pk] for c in contact_search(query, **kwargs)}


@pytest.mark.parametrize(
    "query",
    ["8 912 345 67 89", "+7 (912) 345-67-89", "+79123456789", "89123456789", "9123456789",
     "912-345-67-89", "7 912 345 6789", "345-67-89", "3456789"],
)
def test_phone_in_any_format(people, query):
    assert found(people, query) == {"ivanov"}


@pytest.mark.parametrize("query", ["8 912", "8 (912) 345", "8912345678", "+7 912 34"])
def test_the_start_of_a_phone_typed_with_8_or_plus_7(people, query):
    """The look-up searches as the operator types, before the number is complete."""
    assert found(people, query) == {"ivanov"}


@pytest.mark.parametrize("query", ["+7 903 111 22 33", "8 (903) 111-22-33", "903 111"])
def test_a_phone_stored_with_the_trunk_prefix_8(people, query):
    assert found(people, query) == {"petrova"}


def test_stored_phone_digits_are_normalised(people):
    assert people["ivanov"].phone_digits == "79123456789"
    assert people["petrova"].phone_digits == "79031112233"
    assert people["smith"].phone_digits == "12125550100"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("ivanov@example.ru", {"ivanov"}),
        ("IVANOV@EXAMPLE.RU", {"ivanov"}),
        ("m.petrova@mail", {"petrova"}),
        ("@acme.example", {"smith"}),
        ("example", {"ivanov", "petrova", "smith"}),
    ],
)
def test_by_email(people, query, expected):
    assert found(people, query) == expected


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Иванов", {"ivanov"}),
        ("Иван", {"ivanov"}),
        ("Мария", {"petrova"}),
        ("Пётр", {"sidorov", "petrova"}),  # or the start of "Петрова", still being typed
        ("smith", {"smith"}),
        ("JOHN", {"smith"}),
        ("  Сидоров  ", {"sidorov"}),
    ],
)
def test_by_a_part_of_the_name(people, query, expected):
    assert found(people, query) == expected


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Ромашка", {"ivanov", "sidorov"}),
        ("ООО «Ромашка»", {"ivanov", "sidorov"}),
        ("acme corp", {"smith"}),
        ("ACME", {"smith"}),
    ],
)
def test_by_organisation(people, query, expected):
    assert found(people, query) == expected


@pytest.mark.parametrize("query", ["", " ", "И", "8", "   x  ", "нет такого", "000000"])
def test_too_short_or_unknown_finds_nothing(people, query):
    assert found(people, query) == set()


def test_a_short_run_of_digits_does_not_match_every_phone(people):
    # "12" is in Smith's number but two digits are too few to search phones by.
    assert found(people, "12") == set()


def test_the_result_is_limited(people):
    for i in range(15):
        contact_create(full_name=f"Клиент {i:02d}", email=f"client{i}@bulk.example")
    assert len(contact_search("bulk.example")) == 10
    assert len(contact_search("bulk.example", limit=3)) == 3


def test_the_organisation_comes_with_the_contact(people, django_assert_max_num_queries):
    # The index's look-up (two statements on SQLite, one on PostgreSQL), then the contacts with
    # their organisations: never a query per contact.
    with django_assert_max_num_queries(3):
        names = {c.organisation.name for c in contact_search("Ромашка")}
    assert names == {"ООО «Ромашка»"}


def test_a_nul_finds_nothing_without_asking_the_database(people, django_assert_num_queries):
    # No stored text holds a NUL, and PostgreSQL refuses a query that does (a 500 on the lookup).
    with django_assert_num_queries(0):
        assert list(contact_search("Ива\x00нов")) == []
