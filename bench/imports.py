"""Benchmark, run by hand: `.venv/bin/python bench/imports.py [--rows 1000000] [--repeat 3] [--cfpb]`.

The import of a journal (`amends import FILE`, amends/imports/running.py) with production settings:
  (1) a journal of --rows generated rows is written once as CSV (UTF-8, ";", Russian headers and dates
      "31.12.2024 14:05"): wordings made of sentences of the real complaints in ../shared/data
      (AMENDS_SHARED_DATA), 40 categories in two levels, 60 products, 5,000 organisations, a contact
      with an e-mail on 60 % of the rows and a phone on 40 % (one customer in three writes again),
      most cards closed, spread over five years;
  (2) each of --repeat runs imports it into a fresh copy of a migrated database, in a process of its
      own: rows per second until the cards are in the list (the run's `imported_at`) and until search
      finds them (the run's end), and that process's peak resident memory (Django included);
  (3) with --cfpb, the same for the CFPB sample in ../shared/data/cfpb_complaints/ (skipped when
      absent), with its rejects by reason.
SQLite in a temporary folder by default; under `scripts/with-postgres` (DATABASE_URL set) the runs go
to that PostgreSQL database, emptied between runs. Each figure is printed with the load average.
"""

import argparse
import csv
import gzip
import html
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

from common import environment, say  # noqa: E402 - bench/common.py

DATA_DIR = Path(os.environ.get("AMENDS_SHARED_DATA", ROOT / ".." / "shared" / "data"))
CFPB_FILE = DATA_DIR / "cfpb_complaints" / "cfpb_complaints_dev.csv.gz"
TEXT_FILES = [("ru_kursk_citizen_appeals", "text"), ("cfpb_complaints", "Consumer complaint narrative"),
              ("twcs_spotifycares_inbound", "text")]
HEADER = ["№", "Дата поступления", "Текст жалобы", "Категория", "Подкатегория", "Продукт", "Организация", "ФИО",
          "E-mail", "Телефон", "Канал", "Статус", "Дата закрытия", "Обоснованность", "Важность"]
SENTENCE = re.compile(r"(?<=[.!?])\s+")
TAG = re.compile(r"<[^>]+>")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cfpb", action="store_true", help="also import the CFPB sample")
    parser.add_argument("--journal", type=Path, help="a journal this script generated before, used again")
    parser.add_argument("--cfpb-only", action="store_true", help="only the CFPB sample")
    parser.add_argument("--child", nargs=2, metavar=("FILE", "VAR_DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--migrate", metavar="VAR_DIR", help=argparse.SUPPRESS)
    return parser.parse_args()


def sentences() -> list[str]:
    found = []
    for folder, column in TEXT_FILES:
        for path in (DATA_DIR / folder).glob("*.csv.gz"):
            with gzip.open(path, "rt", encoding="utf-8", newline="") as stream:
                for row in csv.DictReader(stream):
                    text = " ".join(html.unescape(TAG.sub(" ", row.get(column, ""))).split())
                    found.extend(part for part in SENTENCE.split(text) if 20 < len(part) < 400)
    if not found:
        raise SystemExit(f"no texts in {DATA_DIR} (set AMENDS_SHARED_DATA)")
    return found


def journal_write(path: Path, rows: int, seed: int = 18) -> None:
    """The generated journal, written as it is made (constant memory)."""
    rng = random.Random(seed)
    texts = sentences()
    categories = [(f"Категория {a}", f"Подкатегория {a}.{b}") for a in range(1, 9) for b in range(1, 6)]
    products = [f"Изделие {n:03d}" for n in range(60)]
    organisations = [f"ООО «Клиент {n:04d}»" for n in range(5000)]
    channels = ["Телефон", "Электронная почта", "Письмо", "Сайт", "Лично", "Telegram"]
    states = ["Закрыта"] * 8 + ["В работе", "Новая"]
    justification = ["Да", "Нет", "Частично", ""]
    importance = ["Низкая", "Средняя", "Высокая", "Критическая"]
    start = datetime(2021, 1, 1)
    span = (datetime(2025, 12, 31) - start).total_seconds()
    customers = max(1, rows // 3)
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(HEADER)
        for number in range(1, rows + 1):
            received = start + timedelta(seconds=rng.random() * span)
            state = rng.choice(states)
            closed = (received + timedelta(days=rng.randint(0, 30))) if state == "Закрыта" else None
            customer = rng.randrange(customers)
            category, subcategory = rng.choice(categories)
            writer.writerow([
                f"Ж-{number:07d}", received.strftime("%d.%m.%Y %H:%M"),
                " ".join(rng.choice(texts) for _ in range(rng.randint(1, 4))),
                category, subcategory, rng.choice(products), organisations[customer % len(organisations)],
                f"Клиент {customer}", f"client{customer}@example.ru" if customer % 10 < 6 else "",
                f"+7 900 {customer:07d}" if customer % 10 >= 6 or customer % 5 == 0 else "",
                rng.choice(channels), state, closed.strftime("%d.%m.%Y") if closed else "",
                rng.choice(justification) if closed else "", rng.choice(importance),
            ])


def child_environment(var_dir: str) -> None:
    environment("amends-bench-imports-", var_dir=var_dir, own_sqlite=not os.environ.get("DATABASE_URL"))
    import django

    django.setup()


def migrate(var_dir: str) -> None:
    child_environment(var_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def child(file: str, var_dir: str) -> None:
    """One import in this process; prints its figures as JSON."""
    child_environment(var_dir)
    from amends.imports.models import ImportReject
    from amends.imports.running import import_file

    started, cpu = time.perf_counter(), time.process_time()
    phases: dict[str, list[float]] = {}  # phase: [seconds into the run, CPU seconds] when it began

    def progress(run) -> None:
        phases.setdefault(run.phase, [time.perf_counter() - started, time.process_time() - cpu])
        if run.indexes_set_aside:
            phases.setdefault("indexes set aside", [run.indexes_set_aside, 0])

    run = import_file(Path(file), progress=progress)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    reasons: dict[str, int] = {}
    for reason in ImportReject.objects.filter(run=run).values_list("reason", flat=True).iterator():
        key = re.sub(r"“[^”]*”|\d[\d.:-]*", "…", reason)
        reasons[key] = reasons.get(key, 0) + 1
    print(json.dumps({
        "seconds": seconds, "cpu": cpu, "rows": run.rows_done, "created": run.created, "skipped": run.skipped,
        "rejected": run.rejected, "status": run.status, "error": run.error, "reasons": reasons,
        "references": {key: value for key, value in run.references.items() if key.endswith("_count")},
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "phases": phases,
    }))


def database_empty() -> None:
    """PostgreSQL between runs: the cards and what an import adds removed."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE complaints_complaint, customers_contact, customers_organisation,"
                       " complaints_category, customers_product, complaints_numbersequence,"
                       " imports_importrun CASCADE")


def run_once(file: Path, template: str, postgres: bool) -> dict:
    var_dir = template if postgres else tempfile.mkdtemp(prefix="amends-bench-imports-run-")
    if not postgres:
        shutil.rmtree(var_dir)
        shutil.copytree(template, var_dir)
    try:
        output = subprocess.run([sys.executable, __file__, "--child", str(file), var_dir], check=True,
                                capture_output=True, text=True, env=os.environ.copy()).stdout
        return json.loads(output.strip().splitlines()[-1])
    finally:
        if not postgres:
            shutil.rmtree(var_dir, ignore_errors=True)


def figures(label: str, file: Path, repeat: int, template: str, postgres: bool) -> list[dict]:
    results = []
    for attempt in range(1, repeat + 1):
        if postgres:
            child_environment(template)
            database_empty()
        load_before = os.getloadavg()
        result = run_once(file, template, postgres)
        load_after = os.getloadavg()
        rate = result["rows"] / result["seconds"]
        imported = result["phases"].get("search", [result["seconds"]])[0]
        say(f"{label} run {attempt}: {result['rows']:,} rows imported (in the list) in {imported:.1f} s"
            f" = {result['rows'] / imported:,.0f} rows/s; searchable in {result['seconds']:.1f} s = {rate:,.0f} rows/s"
            f" ({result['rows'] / result['cpu']:,.0f} rows per CPU second);"
            f" created {result['created']:,}, skipped {result['skipped']:,}, rejected {result['rejected']:,};"
            f" peak {result['peak_mb']:.0f} MB; {result['status']} {result['error']}"
            f" (load {load_before[0]:.1f} before, {load_after[0]:.1f} after)")
        if result.get("phases"):
            say(f"  phases began at (wall s, CPU s): {result['phases']}")
        result["rate"] = rate
        results.append(result)
    rates = [result["rate"] for result in results]
    per_cpu = [result["rows"] / result["cpu"] for result in results]
    say(f"{label}: best {max(rates):,.0f} rows/s, median {statistics.median(rates):,.0f} rows/s"
        f" (per CPU second: best {max(per_cpu):,.0f}, median {statistics.median(per_cpu):,.0f});"
        f" peak memory up to {max(result['peak_mb'] for result in results):.0f} MB")
    return results


def main() -> None:
    options = arguments()
    if options.child:
        child(*options.child)
        return
    if options.migrate:
        migrate(options.migrate)
        return
    postgres = bool(os.environ.get("DATABASE_URL"))
    folder = Path(tempfile.mkdtemp(prefix="amends-bench-imports-"))
    try:
        template = str(folder / "template")
        os.makedirs(template)
        subprocess.run([sys.executable, __file__, "--migrate", template], check=True)
        say(f"database: {'PostgreSQL' if postgres else 'SQLite'}; load average {os.getloadavg()}")
        journal = options.journal or folder / "journal.csv"
        if options.cfpb_only:
            options.cfpb = True
        elif not options.journal:
            started = time.perf_counter()
            journal_write(journal, options.rows)
            say(f"journal: {options.rows:,} rows, {journal.stat().st_size / 2**20:,.0f} MB,"
                f" written in {time.perf_counter() - started:.0f} s")
        if not options.cfpb_only:
            figures(f"generated journal {journal.stat().st_size / 2**20:,.0f} MB", journal, options.repeat, template,
                    postgres)
        if options.cfpb:
            if not CFPB_FILE.is_file():
                say(f"CFPB sample: {CFPB_FILE} absent, skipped")
                return
            results = figures("CFPB sample", CFPB_FILE, options.repeat, template, postgres)
            say(f"CFPB references created: {results[-1]['references']}")
            for reason, count in sorted(results[-1]["reasons"].items(), key=lambda item: -item[1]):
                say(f"  rejected {count:,}: {reason}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
