import pytest
from django.db import connection

from amends.core.sqlite.like import like
from amends.customers.models import Contact
from amends.customers.selectors import contact_search


@pytest.mark.parametrize("pattern, value, expected", [
    ("%иванов%", "Иванов Иван", True),
    ("иванов", "ИВАНОВ", True),
    ("%ԲՈՂՈՔ%", "բողոք մասին", True),
    ("%50\\%%", "скидка 50% на всё", True),
    ("%50\\%%", "скидка 50 на всё", False),
    ("a_c", "abc", True),
    ("a_c", "abbc", False),
    ("%x%", None, None),
])
def test_like_ignores_case_beyond_ascii(pattern, value, expected):
    assert like(pattern, value, "\\") == expected


def test_search_finds_cyrillic_in_any_case(contact):
    assert list(contact_search("иванов")) == [contact]
    assert list(contact_search("РОМАШКА")) == [contact]
    if connection.vendor == "sqlite":
        assert Contact.objects.filter(full_name__iexact="иванов иван иванович").get() == contact
