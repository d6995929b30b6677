import time
from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from amends.accounts.models import User
from amends.imports.checking import rows_preview
from amends.imports.indexes import BULK_ROWS, indexes_restore
from amends.imports.mapping import FIELD_KEYS, mapping_guess
from amends.imports.models import ImportMapping, ImportRun, ImportStatus, Phase
from amends.imports.reading import TableError, table_open
from amends.imports.running import import_file


class Command(BaseCommand):
    help = ("Import a journal of complaints (CSV, CSV.GZ or XLSX) into cards: columns mapped by a saved mapping, "
            "--map, or guessed from the header (the CFPB export is known); rows already imported from the same "
            "source are skipped, rejected rows go to a rejects file. Run it again to resume a stopped import.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--set-aside-indexes", choices=["auto", "yes", "no"], default="auto",
                            help="drop the card tables' secondary indexes while inserting and build them after "
                            f"(auto: for {BULK_ROWS:,} rows or more, when at least as many as the cards stored)")
        parser.add_argument("--indexes", action="store_true",
                            help="only build again the indexes a stopped import set aside, then exit")
        parser.add_argument("--source", default="", help="what the row IDs are unique within (default: "
                            "cfpb for a CFPB export, else the file's name)")
        parser.add_argument("--encoding", default=None, help="the CSV's encoding, when detection gets it wrong")
        parser.add_argument("--mapping", default=None, help="the name of a saved mapping")
        parser.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                            help=f"a field's column, over the guess; fields: {', '.join(FIELD_KEYS)}")
        parser.add_argument("--user", default=None, help="the username the import is recorded for")
        parser.add_argument("--preview", type=int, default=0, metavar="ROWS",
                            help="only show the mapping and the first ROWS rows with their problems")

    def handle(self, *args, **options):
        if options["indexes"]:
            built = indexes_restore(only_abandoned=True, progress=lambda done, total: self.stdout.write(
                f"index {done} of {total} built again"))
            self.stdout.write(f"{built} indexes built again" if built else "no index is set aside")
            return
        path: Path | None = options["file"]
        if path is None:
            raise CommandError("give the FILE to import (or --indexes)")
        try:
            table = table_open(path, encoding=options["encoding"])
        except TableError as error:
            raise CommandError(f"{path}: {error}") from None
        columns = self.columns(table.columns, options)
        self.stdout.write(f"{path.name}: {table.format}{f', {table.encoding}' if table.encoding else ''},"
                          f" {len(table.columns)} columns")
        for key in FIELD_KEYS:
            if key in columns:
                self.stdout.write(f"  {key:16} <- {columns[key]}")
        if options["preview"]:
            for row in rows_preview(table, columns, limit=options["preview"]):
                self.stdout.write(f"row {row.number}: {'; '.join(row.problems) or 'ok'}")
            return
        user = self.user(options["user"])
        console = Console(stderr=True)
        started, began = time.perf_counter(), timezone.now()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=console, transient=False) as bar:
            task = bar.add_task("importing", total=None)
            told: set[str] = set()
            run = import_file(path, columns=columns, source=options["source"], user=user,
                              encoding=options["encoding"], progress=lambda run: self.tick(bar, task, run, told),
                              set_aside={"auto": None, "yes": True, "no": False}[options["set_aside_indexes"]])
        self.report(run, time.perf_counter() - started, began)
        if run.status != ImportStatus.DONE:
            raise CommandError(f"import {run.pk} stopped after row {run.committed_row}: {run.error}"
                               " (run the same command again to resume)")

    def columns(self, header: list[str], options) -> dict[str, str]:
        if options["mapping"]:
            saved = ImportMapping.objects.filter(name=options["mapping"]).first()
            if saved is None:
                raise CommandError(f"no saved mapping named {options['mapping']!r}")
            columns = dict(saved.columns)
        else:
            columns = mapping_guess(header)
        for item in options["map"]:
            key, _, column = item.partition("=")
            if key not in FIELD_KEYS:
                raise CommandError(f"--map {item}: no field {key!r}; fields: {', '.join(FIELD_KEYS)}")
            if column and column not in header:
                raise CommandError(f"--map {item}: no column {column!r} in the file")
            if column:
                columns[key] = column
            else:
                columns.pop(key, None)
        missing = [key for key in ("received_at", "wording") if key not in columns]
        if missing:
            raise CommandError(f"no column for {', '.join(missing)}: give it with --map FIELD=COLUMN")
        unknown = sorted(set(columns.values()) - set(header))
        if unknown:
            raise CommandError(f"the mapping names columns the file has not: {', '.join(unknown)}")
        return columns

    def user(self, username: str | None) -> User | None:
        if username is None:
            return None
        found = User.objects.filter(username=username).first()
        if found is None:
            raise CommandError(f"no user {username!r}")
        return found

    @staticmethod
    def tick(bar: Progress, task: TaskID, run: ImportRun, told: set[str]) -> None:
        """The bar moved on; each phase after the rows, and indexes set aside, said once."""
        if run.indexes_set_aside and "set aside" not in told:
            told.add("set aside")
            bar.console.print(f"{run.indexes_set_aside} secondary indexes of the card tables are set aside while the"
                              " rows go in and built again after them: until then the card list and the reports"
                              " are slower.")
        if run.status == ImportStatus.RUNNING and run.phase != Phase.ROWS and run.phase not in told:
            told.add(run.phase)
            bar.console.print(f"{run.get_phase_display()}…")
        bar.update(task, total=run.rows_total, completed=run.rows_done,
                   description=f"created {run.created:,} skipped {run.skipped:,} rejected {run.rejected:,}")

    def report(self, run: ImportRun, seconds: float, began: datetime) -> None:
        """The outcome; the rate until the cards were in the list apart from the rate until search found them."""
        rates = f"{run.rows_done / max(seconds, 1e-9):,.0f} rows/s"
        if run.imported_at is not None and run.imported_at >= began:
            imported = (run.imported_at - began).total_seconds()
            rates = (f"imported in {imported:,.1f} s, {run.rows_done / max(imported, 1e-9):,.0f} rows/s;"
                     f" searchable in {seconds:,.1f} s, {rates}")
        self.stdout.write(
            f"import {run.pk} ({run.source}): {run.status}; {run.rows_done:,} rows read,"
            f" {run.created:,} cards created, {run.skipped:,} rows already imported, {run.rejected:,} rejected"
            f" ({rates})"
        )
        references = run.references or {}
        for kind in ("categories", "products", "organisations"):
            count = references.get(f"{kind}_count", 0)
            if count:
                names = ", ".join(references.get(kind, []))
                more = f" and {count - len(references.get(kind, []))} more" if count > len(references.get(kind, [])) \
                    else ""
                self.stdout.write(f"new {kind} ({count}): {names}{more}")
        if references.get("contacts_count"):
            self.stdout.write(f"new contacts: {references['contacts_count']:,}")
        if run.rejects:
            self.stdout.write(f"rejects: {run.rejects.path}")
