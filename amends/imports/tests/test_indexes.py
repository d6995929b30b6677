"""A large import sets the card tables' secondary indexes aside and builds them again after it; a run that
fails builds them at once; one killed leaves records by which the next run, `amends import --indexes` or
the worker builds them again. The unique constraints stay throughout."""

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from amends.complaints.models import Complaint, TimelineEvent
from amends.complaints.search_index import complaints_matching
from amends.imports import indexes, running, tasks
from amends.imports.indexes import indexes_abandoned, indexes_restore, secondary_indexes, set_aside_wanted
from amends.imports.models import ImportedRow, ImportRun, ImportStatus, Phase, SetAsideIndex
from amends.imports.running import import_file
from amends.search.indexes import COMPLAINTS

from .test_running import HEADER, journal, row

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="indexes are set aside on SQLite only")


def names() -> set[str]:
    return {name for _table, name, _sql in secondary_indexes()}


@pytest.mark.django_db
def test_a_large_import_sets_the_indexes_aside_and_builds_them_again(tmp_path, monkeypatch):
    monkeypatch.setattr(running, "CHUNK_ROWS", 2)
    before = names()
    assert "complaint_state_received" in before and len(before) > 15
    seen = []

    def progress(run):
        seen.append((run.phase, run.indexes_set_aside, names(), SetAsideIndex.objects.count()))

    path = journal(tmp_path, [row(str(n), text=f"Чайник номер {n} протекает") for n in range(1, 6)])
    run = import_file(path, set_aside=True, progress=progress)
    assert (run.status, run.created, run.indexes_set_aside) == (ImportStatus.DONE, 5, 0)
    rows_phase = [entry for entry in seen if entry[0] == Phase.ROWS]
    # While the rows go in: none of them, each recorded.
    assert rows_phase and all(entry[1] == len(before) and entry[2] == set() and entry[3] == len(before)
                              for entry in rows_phase)
    assert Phase.INDEXES in [entry[0] for entry in seen] and seen[-1][0] == Phase.SEARCH
    assert names() == before and not SetAsideIndex.objects.exists()
    assert len(complaints_matching("чайник протекает")) == 5  # indexed for search in one pass after the rows


@pytest.mark.django_db
def test_unique_constraints_stay_while_the_indexes_are_set_aside(tmp_path):
    run = ImportRun.objects.create(source="x", path=str(tmp_path / "x.csv"), status=ImportStatus.RUNNING)
    indexes.indexes_set_aside(run)
    card = Complaint.objects.create(number="T-1", channel="phone", wording="Первая",
                                    received_at="2024-01-01T10:00:00Z")
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.create(channel="phone", wording="Вторая", received_at="2024-01-01T10:00:00Z",
                                 number=card.number)
    assert indexes_restore() > 15
    assert "complaint_state_received" in names()


def test_the_choice_as_given_or_by_the_rows_left():
    assert set_aside_wanted(10, True) and not set_aside_wanted(10**7, False)
    assert not set_aside_wanted(None, None) and not set_aside_wanted(indexes.BULK_ROWS - 1, None)


@pytest.mark.django_db
def test_the_choice_weighs_the_cards_stored(monkeypatch):
    monkeypatch.setattr(indexes, "BULK_ROWS", 2)
    assert set_aside_wanted(2, None)
    for n in range(3):
        Complaint.objects.create(number=f"T-{n}", channel="phone", wording=f"Жалоба {n}",
                                 received_at="2024-01-01T10:00:00Z")
    assert not set_aside_wanted(2, None) and set_aside_wanted(3, None)


@pytest.mark.django_db
def test_a_failed_run_builds_them_again_at_once_and_resumes(tmp_path, monkeypatch):
    monkeypatch.setattr(running, "CHUNK_ROWS", 2)
    before = names()
    store = running.Importer.chunk_store
    calls = []

    def stop_at_the_second_chunk(self, rows):
        calls.append(rows)
        if len(calls) == 2:
            raise OSError("disk full")
        return store(self, rows)

    monkeypatch.setattr(running.Importer, "chunk_store", stop_at_the_second_chunk)
    path = journal(tmp_path, [row(str(n)) for n in range(1, 6)])
    with translation.override("en"):
        run = import_file(path, set_aside=True)
    assert (run.status, run.created, run.indexes_set_aside) == (ImportStatus.FAILED, 2, 0)
    assert names() == before and not SetAsideIndex.objects.exists()
    monkeypatch.setattr(running.Importer, "chunk_store", store)
    resumed = import_file(path, set_aside=True)
    assert (resumed.pk, resumed.status, resumed.created) == (run.pk, ImportStatus.DONE, 5)
    assert names() == before


def stopped_run_with_its_indexes_set_aside(tmp_path) -> ImportRun:
    """As a run killed while it inserted leaves it: RUNNING, its indexes recorded as set aside by a
    process that is gone."""
    run = ImportRun.objects.create(source="killed", path=str(tmp_path / "killed.csv"), status=ImportStatus.RUNNING)
    indexes.indexes_set_aside(run)
    gone = subprocess.Popen([sys.executable, "-c", ""])
    gone.wait()
    SetAsideIndex.objects.update(process=f"{indexes.socket.gethostname()}:{gone.pid}")
    return run


@pytest.mark.django_db
def test_indexes_of_a_killed_run_are_built_by_the_next_small_import(tmp_path):
    before = names()
    stopped_run_with_its_indexes_set_aside(tmp_path)
    assert names() == set() and indexes_abandoned()
    run = import_file(journal(tmp_path, [row("1")]))
    assert run.status == ImportStatus.DONE
    assert names() == before and not indexes_abandoned() and not SetAsideIndex.objects.exists()


@pytest.mark.django_db
def test_a_live_run_keeps_its_indexes_set_aside(tmp_path):
    run = ImportRun.objects.create(source="live", path=str(tmp_path / "live.csv"), status=ImportStatus.RUNNING)
    indexes.indexes_set_aside(run)  # by this process, which runs
    assert not indexes_abandoned()
    assert indexes_restore(only_abandoned=True) == 0 and names() == set()
    assert indexes_restore() > 15


@pytest.mark.django_db
def test_the_command_builds_them_again(tmp_path, capsys):
    before = names()
    stopped_run_with_its_indexes_set_aside(tmp_path)
    call_command("import", "--indexes")
    assert f"{len(before)} indexes built again" in capsys.readouterr().out
    assert names() == before
    call_command("import", "--indexes")
    assert "no index is set aside" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_worker_queues_their_build_on_its_first_job(tmp_path, monkeypatch):
    before = names()
    stopped_run_with_its_indexes_set_aside(tmp_path)
    queued = []
    task = tasks.indexes_restore_task
    monkeypatch.setattr(tasks, "_checked_in_this_process", False)
    monkeypatch.setattr(tasks, "indexes_restore_task", SimpleNamespace(enqueue=lambda: queued.append(1)))
    tasks.indexes_check_at_start(sender=None)
    tasks.indexes_check_at_start(sender=None)  # once per worker process
    assert queued == [1]
    assert task.call() == len(before)
    assert names() == before


@pytest.mark.django_db
def test_the_command_announces_the_indexes_and_the_phases(tmp_path, capsys):
    path = journal(tmp_path, [row("1"), row("2")])
    with translation.override("en"):
        call_command("import", str(path), "--set-aside-indexes", "yes")
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert "secondary indexes of the card tables are set aside" in said
    assert "Building the card list's indexes" in said and "Adding the cards to the search index" in said
    assert names() and not SetAsideIndex.objects.exists()


# The real command, killed once its first chunk is committed, then run again.
KILLED_ROWS = 15_000


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST']}:{settings['PORT']}/" \
           f"{settings['NAME']}"


def command(tmp_path: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "DATABASE_URL": database_url(),
           "AMENDS_VAR_DIR": str(tmp_path / "var")}
    return subprocess.Popen([sys.executable, "manage.py", "import", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data_restored")
def test_an_import_killed_while_its_indexes_are_set_aside(tmp_path):
    before = names()
    path = tmp_path / "journal.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(row(f"Ж-{n}", text=f"Пылесос {n} шумит", email=f"c{n % 500}@example.ru")
                         for n in range(1, KILLED_ROWS + 1))
    process = command(tmp_path, str(path), "--set-aside-indexes", "yes")
    deadline = time.monotonic() + 300
    while not ImportRun.objects.filter(committed_row__gt=0).exists():
        assert process.poll() is None, process.stdout.read().decode(errors="replace") if process.stdout else ""
        assert time.monotonic() < deadline, "no chunk committed"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.RUNNING and run.committed_row < KILLED_ROWS + 1
    # What the kill left: whole chunks, and every missing index recorded.
    cards = Complaint.objects.count()
    assert cards == run.created == ImportedRow.objects.count() == TimelineEvent.objects.count()
    assert cards % running.CHUNK_ROWS == 0 and cards < KILLED_ROWS
    missing = before - names()
    assert missing and missing == set(SetAsideIndex.objects.values_list("name", flat=True))
    assert indexes_abandoned()
    # Run again, as the command says: it goes on after the last chunk and builds the indexes after it.
    again = command(tmp_path, str(path), "--set-aside-indexes", "yes")
    output = again.communicate(timeout=600)[0].decode(errors="replace")
    assert again.returncode == 0, output
    run.refresh_from_db()
    assert (run.status, run.created, run.skipped, run.indexes_set_aside) == (ImportStatus.DONE, KILLED_ROWS, 0, 0)
    assert Complaint.objects.count() == KILLED_ROWS == len(set(Complaint.objects.values_list("external_id",
                                                                                             flat=True)))
    assert names() == before and not SetAsideIndex.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {COMPLAINTS.table}")
        assert cursor.fetchone()[0] == KILLED_ROWS  # every card searchable
    assert complaints_matching("пылесос шумит", limit=5)
