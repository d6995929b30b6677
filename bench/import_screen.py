"""Benchmark, run by hand: `.venv/bin/python bench/import_screen.py [--rows 1000000] [--repeat 5]`.

The upload screen (amends/imports/views.py) on a large journal, with production settings and SQLite in a
temporary folder (under `scripts/with-postgres`, that PostgreSQL database): the journal of bench/imports.py
(--rows generated rows, CSV) is uploaded by an administrator through Django's test client; each step is
timed: the upload (stored and its header read), the columns page and the preview of the first 20 rows
(--repeat times: the first, the best and the median), the start, then the worker's jobs themselves
(import_run_task in this process: rows per second) and the progress part the run page polls. Each
figure with the load average.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

from common import environment, say  # noqa: E402 - bench/common.py
from imports import journal_write  # noqa: E402 - bench/imports.py


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return (time.perf_counter() - started) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="amends-bench-import-screen-")
    journal = Path(folder) / "journal.csv"
    journal_write(journal, options.rows)
    say(f"journal: {options.rows:,} rows, {journal.stat().st_size / 1024 / 1024:,.0f} MB")

    environment("amends-bench-import-screen-", var_dir=folder, own_sqlite=not os.environ.get("DATABASE_URL"))
    import django

    django.setup()
    from django.conf import settings

    # The pages' {% static %} without collecting the files first.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from amends.accounts.models import User
    from amends.imports.models import ImportRun, ImportStatus
    from amends.imports.tasks import import_run_task

    call_command("migrate", verbosity=0)
    admin = User.objects.create_user(username="bench-admin", password="x", is_superuser=True, is_staff=True,
                                     language="en")
    client = Client()
    client.force_login(admin)

    with journal.open("rb") as stream:
        spent, response = timed(lambda: client.post(reverse("imports:upload"), {"file": stream}))
    assert response.status_code == 302, response.status_code
    columns_url = response["Location"]
    say(f"upload (stored, header read): {spent:,.0f} ms ({load()})")
    times = [timed(lambda: client.get(columns_url))[0] for _attempt in range(options.repeat)]
    say(f"columns page: first {times[0]:,.0f} ms, then best {min(times[1:] or times):,.0f} ms,"
        f" median {statistics.median(times[1:] or times):,.0f} ms ({load()})")
    response = client.post(columns_url, {
        "source": "bench", "field_row_id": "№", "field_received_at": "Дата поступления",
        "field_wording": "Текст жалобы", "field_category": "Категория", "field_email": "E-mail",
        "field_phone": "Телефон", "field_state": "Статус", "field_closed_at": "Дата закрытия",
    })
    preview_url = response["Location"]
    times = []
    for _attempt in range(options.repeat):
        spent, response = timed(lambda: client.get(preview_url))
        assert response.status_code == 200
        times.append(spent)
    say(f"preview of 20 rows: best {min(times):,.0f} ms, median {statistics.median(times):,.0f} ms ({load()})")

    # The start queues the job (the database queue); the job is then run here as the worker would run it.
    spent, response = timed(lambda: client.post(preview_url))
    say(f"start: {spent:,.0f} ms ({load()})")
    run = ImportRun.objects.latest("pk")
    before = load()
    started = time.perf_counter()
    jobs = 0
    while run.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):  # a run past a job's slice goes on in the next
        import_run_task.call(run.pk)
        jobs += 1
        run.refresh_from_db()
    seconds = time.perf_counter() - started
    say(f"worker's jobs ({jobs}): {run.rows_done:,} rows in {seconds:,.1f} s = {run.rows_done / seconds:,.0f} rows/s;"
        f" {run.status}, created {run.created:,}, rejected {run.rejected:,} ({before} before, {load()} after)")
    times = []
    for _attempt in range(options.repeat):
        spent, _response = timed(lambda: client.get(reverse("imports:run", args=[run.pk]), HTTP_HX_REQUEST="true"))
        times.append(spent)
    say(f"progress part: best {min(times):,.1f} ms, median {statistics.median(times):,.1f} ms ({load()})")


if __name__ == "__main__":
    main()
