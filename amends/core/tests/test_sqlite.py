import gc
import os
import threading

import pytest
from django.db import connection, transaction

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


sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's writer queue")


def test_writer_queue_lets_one_holder_in_and_times_out_a_waiter(tmp_path):
    from django.db import OperationalError

    from amends.core.sqlite.base import WriterQueue

    first, second = WriterQueue(str(tmp_path / "db-writers")), WriterQueue(str(tmp_path / "db-writers"))
    first.acquire()
    with pytest.raises(OperationalError, match="database is locked"):
        second.acquire(timeout=0.05)
    first.release()
    second.acquire(timeout=0.05)
    assert second.held
    second.close()
    first.close()


def test_a_background_writer_steps_aside_only_after_waiting(tmp_path):
    import threading
    import time

    from amends.core.sqlite.base import WriterQueue

    web, worker = WriterQueue(str(tmp_path / "db-writers")), WriterQueue(str(tmp_path / "db-writers"))
    worker.acquire()
    assert not worker.contended
    began = time.monotonic()
    worker.release(yield_if_contended=True)
    assert time.monotonic() - began < 0.01  # nobody was in the way: no pause

    web.acquire()
    thread = threading.Thread(target=worker.acquire)
    thread.start()
    time.sleep(0.03)
    web.release()
    thread.join()
    assert worker.contended
    time.sleep(0.01)
    began = time.monotonic()
    worker.release(yield_if_contended=True)
    assert time.monotonic() - began >= 0.015  # twice the 10 ms it held the lock
    web.close()
    worker.close()


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_write_transaction_holds_the_queue_until_it_ends():
    import threading

    from django.db import OperationalError, transaction

    from amends.core.sqlite.base import WriterQueue

    outsider = WriterQueue(f"{connection.settings_dict['NAME']}-writers")
    waited = []

    def try_to_write():
        try:
            outsider.acquire(timeout=0.05)
            outsider.release()
            waited.append("in")
        except OperationalError:
            waited.append("locked")

    with transaction.atomic():
        Contact.objects.create(full_name="Писатель")
        thread = threading.Thread(target=try_to_write)
        thread.start()
        thread.join()
    try_to_write()
    outsider.close()
    assert waited == ["locked", "in"]


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_failed_transaction_leaves_the_queue():
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        Contact.objects.create(full_name="Откат")
        raise RuntimeError
    assert not connection.writer_queue.held
    assert not Contact.objects.filter(full_name="Откат").exists()


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_the_log_is_copied_into_the_database_after_every_few_commits(monkeypatch):
    import sqlite3

    from django.db import transaction

    from amends.core.sqlite import base

    monkeypatch.setattr(base, "CHECKPOINT_EVERY_COMMITS", 3)
    connection.ensure_connection()
    connection.commits_since_checkpoint = 0

    def in_the_database_file(name: str) -> bool:
        # immutable=1 reads the database file alone, without the write-ahead log.
        path = connection.settings_dict["NAME"]
        with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as direct:
            return direct.execute("SELECT 1 FROM customers_contact WHERE full_name = ?", [name]).fetchone() is not None

    with transaction.atomic():
        Contact.objects.create(full_name="В журнале")
    assert not in_the_database_file("В журнале")  # only in the log: SQLite's own checkpoint is off
    for _ in range(2):
        with transaction.atomic():
            Contact.objects.create(full_name="Ещё одна")
    assert in_the_database_file("В журнале")


def _open_files(path: str) -> int:
    names = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            names.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # closed while listing
            continue
    return names.count(path)


def test_a_queue_dropped_without_close_closes_its_file(tmp_path):
    from amends.core.sqlite.base import WriterQueue

    path = str(tmp_path / "db-writers")
    queue = WriterQueue(path)
    queue.acquire()
    queue.release()
    assert _open_files(path) == 1
    del queue
    gc.collect()
    assert _open_files(path) == 0


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_server_thread_that_ends_leaves_no_queue_file_open():
    """Server threads come and go; each opens its own connection and never closes it."""
    path = connection.settings_dict["NAME"] + "-writers"
    before = _open_files(path)

    def request() -> None:
        with transaction.atomic():
            Contact.objects.create(full_name="Поток")

    threads = [threading.Thread(target=request) for _ in range(5)]
    for thread in threads:
        thread.start()
        thread.join()
    gc.collect()
    assert Contact.objects.count() == 5
    assert _open_files(path) <= before


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_write_outside_a_transaction_queues_like_one():
    """An `update()` or a `save()` in autocommit: it waits in the queue, not in SQLite's sleeps."""
    import time

    from amends.core.sqlite.base import WriterQueue

    contact = Contact.objects.create(full_name="Очередь")
    holder = WriterQueue(f"{connection.settings_dict['NAME']}-writers")
    holder.acquire()
    done = threading.Event()

    def write() -> None:
        Contact.objects.filter(pk=contact.pk).update(full_name="После очереди")
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    time.sleep(0.1)
    waited = not done.is_set()
    holder.release()
    thread.join(5)
    holder.close()
    assert waited and done.is_set()
    assert Contact.objects.get(pk=contact.pk).full_name == "После очереди"
    Contact.objects.filter(pk=contact.pk).update(full_name="Без очереди")  # alone: straight in
    assert not connection.writer_queue.held
