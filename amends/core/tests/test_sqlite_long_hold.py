"""A write transaction that keeps SQLite's other writers waiting long is logged with where it began:
past the queue's wait, the web requests storing complaints fail with "database is locked"."""

import logging

import pytest
from django.db import connection, transaction

from amends.core.sqlite import base
from amends.customers.models import Contact

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's writer queue")


@pytest.mark.django_db(transaction=True)
def test_a_long_write_transaction_is_logged_with_the_code_that_began_it(monkeypatch, caplog):
    monkeypatch.setattr(base, "LONG_HOLD_SECONDS", 0)
    with caplog.at_level(logging.WARNING, logger="amends.core.sqlite.base"), transaction.atomic():
        Contact.objects.create(full_name="Орлова Анна")
    [record] = [r for r in caplog.records if "held the database" in r.getMessage()]
    assert "core/tests/test_sqlite_long_hold.py" in record.getMessage()
    assert "test_a_long_write_transaction_is_logged_with_the_code_that_began_it" in record.getMessage()


@pytest.mark.django_db(transaction=True)
def test_a_short_write_transaction_is_not_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="amends.core.sqlite.base"), transaction.atomic():
        Contact.objects.create(full_name="Орлова Анна")
    assert not [r for r in caplog.records if "held the database" in r.getMessage()]
