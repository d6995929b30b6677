"""Running an import: the journal read in chunks, each chunk's cards, reference data, contacts, timeline
entries and source rows inserted in bulk and committed with the run's counters and rejects, so a run
stopped anywhere resumes after its last committed row and the same file twice creates nothing new.

Imported cards keep the journal's dates, state and classification. They are history: no signal is sent
for them, so no notification, acknowledgement, duplicate search or deadline clock follows (docs/imports.md);
only their negative-emotion labels, when the journal has them, are handed on (to triage's training).
"""

import base64
import csv
import hashlib
import logging
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.complaints.choices import Channel, Origin, State
from amends.complaints.events import event_imported_row
from amends.complaints.models import Category, Complaint, NumberSequence, TimelineEvent
from amends.complaints.search_index import complaints_fill, complaints_index
from amends.complaints.signals import negative_labels_imported
from amends.core.bulk import keys_in
from amends.customers.models import Contact, Organisation, Product, phone_digits

from .checking import CardRow, RowChecker, fold
from .indexes import indexes_restore, indexes_set_aside, set_aside_wanted
from .inserting import Inserter, ids_reserve, moment_converter
from .mapping import CFPB, mapping_guess
from .models import ImportedRow, ImportReject, ImportRun, ImportStatus, Phase
from .reading import Table, TableError, error_text, table_open

logger = logging.getLogger(__name__)

Progress = Callable[[ImportRun], None]
# Rows per transaction: large enough for executemany to pay, small enough that a stop loses little and
# the memory stays flat whatever the file's size.
CHUNK_ROWS = 5000
# SQLite's page cache during a run, in KiB: within the run's memory budget (docs/imports.md).
SQLITE_CACHE_KIB = 128 * 1024
# What each imported card, and each new contact, sets over its template.
CARD_COLUMNS = ["id", "number", "received_at", "channel", "origin", "wording", "state", "importance", "justification",
                "order_reference", "actions_taken", "answer_text", "answered_at", "closed_at", "external_id",
                "tracking_code", "organisation_id", "product_id", "category_id", "contact_id"]
CONTACT_COLUMNS = ["id", "full_name", "email", "phone", "phone_digits", "region", "organisation_id"]
# A chunk writes tens of megabytes of pages to SQLite's WAL; the backend's own checkpoint, every 50
# commits, let it grow to 7.7 GB in a million-row run. Copied back every few chunks, it stays small.
CHECKPOINT_CHUNKS = 10
# New reference names listed in the run's report; beyond them only their number.
REPORT_NAMES = 50


def import_file(path: Path, *, columns: dict[str, str] | None = None, source: str = "", user=None,
                progress: Progress | None = None, encoding: str | None = None,
                set_aside: bool | None = None) -> ImportRun:
    """Import the journal at `path` where it lies (the command). Columns are guessed from its header when
    not given; the source (what row IDs are unique within) is "cfpb" for a CFPB export, else the file's
    name. An unfinished run of the same file and source is taken up again after its last committed row.
    `set_aside`: whether the cards' secondary indexes are dropped while it inserts (None: for a large
    import, indexes.set_aside_wanted). Raises TableError when the file cannot be read at all."""
    path = Path(path).resolve()
    table = table_open(path, encoding=encoding)
    columns = columns or mapping_guess(table.columns)
    source = (source or ("cfpb" if columns == mapping_guess(list(CFPB.values())) else path.stem))[:100]
    run = (ImportRun.objects.filter(path=str(path), source=source)
           .exclude(status=ImportStatus.DONE).order_by("-created_at").first())
    if run is None or run.columns != columns:
        run = ImportRun.objects.create(
            source=source, path=str(path), original_name=path.name, columns=columns, encoding=encoding or "",
            started_by=user,
        )
    return import_run(run, progress=progress, set_aside=set_aside)


def import_run(run: ImportRun, *, progress: Progress | None = None, set_aside: bool | None = None) -> ImportRun:
    """Read the run's file with `run.columns` into cards, committing in chunks with the counters; resumes
    after `run.committed_row`. A large one sets the cards' secondary indexes aside while it inserts and
    builds them again after it; then the cards missing from the search index are indexed in one pass.
    Ends DONE, or FAILED with `error` (the rows committed before stay; an index set aside is built
    again by the next run or the worker)."""
    try:
        with _local_file(run) as path:
            table = table_open(path, encoding=run.encoding or None)
            run.format, run.encoding = table.format, table.encoding
            if run.rows_total is None:
                run.rows_total = table.rows_estimate()
            run.status, run.error, run.phase = ImportStatus.RUNNING, "", Phase.ROWS
            run.started_at = run.started_at or timezone.now()
            run.save(update_fields=["format", "encoding", "rows_total", "status", "error", "started_at", "phase"])
            rows_left = None if run.rows_total is None else max(0, run.rows_total - run.rows_done)
            if set_aside_wanted(rows_left, set_aside):
                run.indexes_set_aside = indexes_set_aside(run)
                run.save(update_fields=["indexes_set_aside"])
            else:
                indexes_restore(only_abandoned=True)  # left by a run that was stopped
            if progress:
                progress(run)
            with _sqlite_run_settings():
                Importer(run, table, progress).rows_import()
                if run.indexes_set_aside:
                    run.phase = Phase.INDEXES
                    indexes_restore(progress=lambda done, total: _tick(run, progress))
                    run.indexes_set_aside = 0
                run.phase = Phase.SEARCH
                run.imported_at = run.imported_at or timezone.now()
                _tick(run, progress, moved=False)
                complaints_fill(False, lambda done: _tick(run, progress))
    except TableError as error:
        _finish(run, ImportStatus.FAILED, str(error))
    except Exception as error:
        logger.exception("import %s failed", run.pk)
        _finish(run, ImportStatus.FAILED, _("The import stopped: %(error)s") % {"error": error_text(error)})
    else:
        run.rows_total = run.rows_done  # the estimate made exact
        _finish(run, ImportStatus.DONE, "")
    if progress:
        progress(run)
    return run


def _finish(run: ImportRun, status: str, error: str) -> None:
    if status == ImportStatus.FAILED and run.indexes_set_aside:
        # Not left without its indexes until the run is taken up again.
        try:
            indexes_restore()
        except Exception:
            logger.exception("import %s: the indexes set aside are built again later", run.pk)
        else:
            run.indexes_set_aside = 0
    run.status, run.error, run.finished_at = status, error, timezone.now()
    rejects_write(run)
    run.save(update_fields=["status", "error", "finished_at", "rows_total", "rejects", "indexes_set_aside"])


def _tick(run: ImportRun, progress: Progress | None, *, moved: bool = True) -> None:
    """After each index built and each part of the search index written (`moved`), or as a phase
    begins: the run's phase, and when it last moved on."""
    if moved:
        run.progressed_at = timezone.now()
    run.save(update_fields=["phase", "indexes_set_aside", "progressed_at", "imported_at"])
    if progress:
        progress(run)


@contextmanager
def _local_file(run: ImportRun) -> Iterator[Path]:
    """The run's file as a local path: where the command found it, the media folder's own, or a
    temporary copy of one kept in a remote storage (S3)."""
    if run.path:
        yield Path(run.path)
        return
    if not run.file:
        raise TableError(_("The import has no file."))
    try:
        yield Path(run.file.path)
        return
    except NotImplementedError:  # a storage without local paths
        pass
    with tempfile.NamedTemporaryFile(suffix=Path(run.file.name or "").suffix) as copy, run.file.open("rb") as stream:
        shutil.copyfileobj(stream, copy, 4 * 1024 * 1024)
        copy.flush()
        yield Path(copy.name)


@contextmanager
def _sqlite_run_settings() -> Iterator[None]:
    """For the whole run: a larger SQLite page cache (the cards' indexes are updated in memory rather
    than read back for every chunk); no memory-mapped reads (the mapping of a large file would hold as
    much memory again); the index builds' sorting in temporary files, not in memory (at a million cards
    it took 170 MB). The connection's usual settings after it."""
    if connection.vendor != "sqlite":
        yield
        return
    run_settings = {"cache_size": -SQLITE_CACHE_KIB, "mmap_size": 0}
    if not connection.in_atomic_block:  # SQLite refuses it within a transaction (a test's)
        run_settings["temp_store"] = 1  # FILE
    usual = {}
    with connection.cursor() as cursor:
        for name, value in run_settings.items():
            cursor.execute(f"PRAGMA {name}")
            usual[name] = int(cursor.fetchone()[0])
            cursor.execute(f"PRAGMA {name} = {value}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in usual.items():
                cursor.execute(f"PRAGMA {name} = {value}")


def rejects_write(run: ImportRun) -> None:
    """The rejects file: each rejected row's number, the reason, and the row as read (CSV, UTF-8 with a
    BOM so that spreadsheet programs read it right)."""
    rejects = ImportReject.objects.filter(run=run).order_by("row_number")
    if not rejects.exists():
        return
    columns: list[str] = []
    if run.columns:
        try:
            with _local_file(run) as path:
                columns = table_open(path, encoding=run.encoding or None).columns
        except TableError:
            columns = []
    with tempfile.TemporaryFile("w+b") as stream:
        text = open(stream.fileno(), "w", encoding="utf-8-sig", newline="", closefd=False)  # noqa: SIM115
        writer = csv.writer(text)
        writer.writerow([_("row"), _("reason"), *columns])
        for reject in rejects.iterator(chunk_size=5000):
            writer.writerow([reject.row_number, reject.reason, *reject.cells])
        text.flush()
        stream.seek(0)
        if run.rejects:
            run.rejects.delete(save=False)
        run.rejects.save(f"rejects-{run.pk}.csv", File(stream), save=False)


def content_id(values: dict[str, str]) -> str:
    """A row ID for a row without one: its content's digest, so the same row imported again is known."""
    digest = hashlib.sha1("\x1f".join(values.values()).encode(), usedforsecurity=False).hexdigest()
    return f"sha1:{digest}"


class References:
    """Categories, products and organisations by folded name, loaded once and created as rows need them."""

    def __init__(self):
        self.categories: dict[tuple[int | None, str], int] = {}
        for pk, parent, *names in Category.objects.values_list("pk", "parent_id", "name", "name_en", "name_hy"):
            for name in names:
                if name:
                    self.categories.setdefault((parent, fold(name)), pk)
        self.products: dict[str, int] = {}
        for pk, *names in Product.objects.values_list("pk", "name", "name_en", "name_hy"):
            for name in names:
                if name:
                    self.products.setdefault(fold(name), pk)
        self.organisations: dict[str, int] = {}
        for pk, name in Organisation.objects.order_by("pk").values_list("pk", "name").iterator(chunk_size=10000):
            self.organisations.setdefault(fold(name), pk)
        self.created: dict[str, list[str]] = {"categories": [], "products": [], "organisations": []}
        now = timezone.now()
        self.inserter = Inserter(Organisation, Organisation(name="", created_at=now, updated_at=now), ["id", "name"])

    def category(self, name: str, parent: int | None = None) -> int | None:
        if not name:
            return parent
        key = (parent, fold(name))
        if key not in self.categories:
            self.categories[key] = Category.objects.create(name=name, parent_id=parent).pk
            self.created["categories"].append(name)
        return self.categories[key]

    def product(self, name: str) -> int | None:
        if not name:
            return None
        key = fold(name)
        if key not in self.products:
            self.products[key] = Product.objects.create(name=name).pk
            self.created["products"].append(name)
        return self.products[key]

    def organisations_ensure(self, names: set[str]) -> None:
        """Create in one insert the organisations of a chunk not known yet."""
        new = {}
        for name in names:
            key = fold(name)
            if name and key not in self.organisations and key not in new:
                new[key] = name
        if not new:
            return
        ids = ids_reserve(Organisation, len(new))
        self.inserter.insert(zip(ids, new.values(), strict=True))
        self.organisations.update(zip(new, ids, strict=True))
        self.created["organisations"].extend(new.values())

    def organisation(self, name: str) -> int | None:
        return self.organisations.get(fold(name)) if name else None

    def report(self, before: dict) -> dict:
        report = {}
        for kind, names in self.created.items():
            listed = list(before.get(kind, [])) + names[:REPORT_NAMES]
            report[kind] = listed[:REPORT_NAMES]
            report[f"{kind}_count"] = before.get(f"{kind}_count", 0) + len(names)
        report["contacts_count"] = before.get("contacts_count", 0)
        return report


class Importer:
    """One run over the file: chunks of rows checked, then each chunk's writes in one transaction."""

    def __init__(self, run: ImportRun, table: Table, progress: Progress | None):
        self.run, self.table, self.progress = run, table, progress
        self.checker = RowChecker(run.columns, header=table.columns)
        self.references = References()
        self.report_before = dict(run.references or {})
        self.contacts_created = 0
        now = timezone.now()
        self.cards = Inserter(Complaint, Complaint(channel=Channel.LETTER, wording="", received_at=now), CARD_COLUMNS)
        self.events = Inserter(TimelineEvent, event_imported_row(0, state=State.REGISTERED, at=now, text="",
                                                                 actor=run.started_by),
                               ["complaint_id", "created_at", "to_state", "text"])
        self.sources = Inserter(ImportedRow, ImportedRow(source=run.source, row_id="", complaint_id=0, run_id=run.pk),
                                ["row_id", "complaint_id", "row_number"])
        self.contacts = Inserter(Contact, Contact(full_name="", created_at=now, updated_at=now), CONTACT_COLUMNS)
        self.channel_names = {code: str(label) for code, label in Channel.choices}
        self.moment = moment_converter()

    def rows_import(self) -> None:
        rows = ((number, cells) for number, cells in self.table.records() if number > self.run.committed_row)
        sqlite, chunks = connection.vendor == "sqlite", 0
        while chunk := list(islice(rows, CHUNK_ROWS)):
            created = self.chunk_store(chunk)
            if not self.run.indexes_set_aside:
                # Searchable as each chunk lands. With the indexes aside, the documents (which read the
                # cards' timeline by its index) wait for them: the pass after the rows takes them all.
                complaints_index(created)
            chunks += 1
            if sqlite and chunks % CHECKPOINT_CHUNKS == 0:
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
            if self.progress:
                self.progress(self.run)

    def chunk_store(self, rows: list[tuple[int, list[str]]]) -> list[int]:
        """Check, then write in one transaction; returns the keys of the cards created."""
        checker, rejects, cards = self.checker, [], []
        first: dict[str, int] = {}
        for number, cells in rows:
            values = checker.values_listed(cells)
            card, problems = checker.check(number, values)
            if card is None:
                rejects.append((number, " ".join(problems), cells))
                continue
            card.row_id = card.row_id or content_id(values)
            if card.row_id in first:
                rejects.append((number, self._repeat(card.row_id, first[card.row_id]), cells))
                continue
            first[card.row_id] = number
            cards.append((card, cells))
        with transaction.atomic():
            known = self._rows_known([card.row_id for card, _cells in cards])
            fresh, skipped = [], 0
            for card, cells in cards:
                if card.row_id not in known:
                    fresh.append(card)
                elif known[card.row_id][0] == self.run.pk:
                    rejects.append((card.number, self._repeat(card.row_id, known[card.row_id][1]), cells))
                else:
                    skipped += 1
            ids = self._cards_insert(fresh)
            ImportReject.objects.bulk_create([
                ImportReject(run=self.run, row_number=number, reason=reason, cells=cells)
                for number, reason, cells in rejects
            ], batch_size=1000)
            run = self.run
            run.rows_done += len(rows)
            run.committed_row = rows[-1][0]
            run.created += len(fresh)
            run.skipped += skipped
            run.rejected += len(rejects)
            run.progressed_at = timezone.now()
            run.references = self.references.report(self.report_before)
            run.references["contacts_count"] = self.report_before.get("contacts_count", 0) + self.contacts_created
            if run.rows_total is not None and run.rows_done > run.rows_total:
                run.rows_total = run.rows_done
            run.save(update_fields=["rows_done", "committed_row", "created", "skipped", "rejected", "references",
                                    "rows_total", "progressed_at"])
        return ids

    @staticmethod
    def _repeat(row_id: str, number: int | None) -> str:
        return _("Row ID %(id)s repeats row %(row)s of this file.") % {"id": row_id[:60], "row": number}

    def _rows_known(self, row_ids: list[str]) -> dict[str, tuple[int | None, int | None]]:
        """Which row IDs of the source are imported already: {row id: (its run, its row number)}."""
        known: dict[str, tuple[int | None, int | None]] = {}
        table = connection.ops.quote_name(ImportedRow._meta.db_table)
        with connection.cursor() as cursor:
            for start in range(0, len(row_ids), 5000):  # within every database's limit of parameters
                part = row_ids[start:start + 5000]
                cursor.execute(
                    f"SELECT row_id, run_id, row_number FROM {table} WHERE source = %s"
                    f" AND row_id IN ({', '.join(['%s'] * len(part))})", [self.run.source, *part],
                )
                known.update((row_id, (run_id, number)) for row_id, run_id, number in cursor.fetchall())
        return known

    def _cards_insert(self, cards: list[CardRow]) -> list[int]:
        if not cards:
            return []
        cards.sort(key=lambda card: card.received_at)  # numbers in order of receipt
        references = self.references
        references.organisations_ensure({card.organisation for card in cards})
        contact_ids = self._contacts(cards)
        ids = ids_reserve(Complaint, len(cards))
        numbers = self._numbers(cards)
        source = self.run.source
        imported = _("%(channel)s; imported: %(source)s, %(id)s")
        card_rows, event_rows, source_rows = [], [], []
        codes = _tracking_codes(len(cards))
        for pk, number, contact, code, card in zip(ids, numbers, contact_ids, codes, cards, strict=True):
            received, closed = self.moment(card.received_at), self.moment(card.closed_at)
            card_rows.append((
                pk, number, received, card.channel, Origin.INTERNAL if card.channel == Channel.INTERNAL else
                Origin.EXTERNAL, card.wording, card.state, card.importance, card.justification,
                card.order_reference, card.actions_taken, card.answer, closed if card.answer else None, closed,
                card.row_id[:200], code, references.organisation(card.organisation),
                references.product(card.product), references.category(card.subcategory,
                                                                      references.category(card.category)),
                contact,
            ))
            event_rows.append((pk, received, card.state, imported % {
                "channel": self.channel_names.get(card.channel, card.channel), "source": source, "id": card.row_id}))
            source_rows.append((card.row_id, pk, card.number))
        self.cards.insert(card_rows)
        self.events.insert(event_rows)
        self.sources.insert(source_rows)
        labels = [(pk, card.negative) for pk, card in zip(ids, cards, strict=True) if card.negative is not None]
        if labels:
            negative_labels_imported.send(sender=Complaint, labels=labels)
        return ids

    def _numbers(self, cards: list[CardRow]) -> list[str]:
        """Card numbers of each card's year, taken in one statement per year."""
        years: dict[int, int] = {}
        zone = timezone.get_current_timezone()
        local = [card.received_at.astimezone(zone).year for card in cards]
        for year in local:
            years[year] = years.get(year, 0) + 1
        table = connection.ops.quote_name(NumberSequence._meta.db_table)
        next_number = {}
        with connection.cursor() as cursor:
            for year, count in years.items():
                cursor.execute(f"UPDATE {table} SET last = last + %s WHERE year = %s RETURNING last", [count, year])
                row = cursor.fetchone()
                if row is None:
                    NumberSequence.objects.create(year=year, last=count)
                    last = count
                else:
                    last = row[0]
                next_number[year] = last - count + 1
        numbers = []
        for year in local:
            numbers.append(f"{year}-{next_number[year]:06d}")
            next_number[year] += 1
        return numbers

    def _contacts(self, cards: list[CardRow]) -> list[int | None]:
        """Each card's contact: an existing one with its e-mail or phone, else one created (once per
        e-mail or phone within the chunk); a name alone makes a new contact each time."""
        digits = [phone_digits(card.phone) if card.phone else "" for card in cards]
        emails = {card.email for card in cards if card.email}
        phones = {number for number in digits if number}
        by_email: dict[str, int] = {}
        by_phone: dict[str, int] = {}
        if emails or phones:
            for pk, email, number in _contacts_known(emails, phones):
                if email:
                    by_email.setdefault(email, pk)
                if number:
                    by_phone.setdefault(number, pk)
        result: list[int | None] = []
        new_rows: list[list] = []  # CONTACT_COLUMNS
        waiting_rows: list[tuple[int, int]] = []  # (position in `result`, the new contact it waits for)
        pending_email: dict[str, int] = {}
        pending_phone: dict[str, int] = {}
        for position, (card, number) in enumerate(zip(cards, digits, strict=True)):
            found = by_email.get(card.email) if card.email else None
            if found is None and number:
                found = by_phone.get(number)
            if found is not None:
                # The other address of the row is this customer's too, for the rows after it.
                if card.email:
                    by_email.setdefault(card.email, found)
                if number:
                    by_phone.setdefault(number, found)
                result.append(found)
                continue
            waiting = pending_email.get(card.email) if card.email else None
            if waiting is None and number:
                waiting = pending_phone.get(number)
            if waiting is None and (card.contact_name or card.email or number):
                waiting = len(new_rows)
                new_rows.append([
                    None, (card.contact_name or card.email or card.phone)[:300], card.email, card.phone, number[:20],
                    card.region, self.references.organisation(card.organisation),
                ])
            result.append(None)
            if waiting is not None:
                if card.email:
                    pending_email.setdefault(card.email, waiting)
                if number:
                    pending_phone.setdefault(number, waiting)
                waiting_rows.append((position, waiting))
        if new_rows:
            ids = ids_reserve(Contact, len(new_rows))
            for pk, row in zip(ids, new_rows, strict=True):
                row[0] = pk
            self.contacts.insert(new_rows)
            self.contacts_created += len(new_rows)
            for position, waiting in waiting_rows:
                result[position] = ids[waiting]
        return result


def _tracking_codes(count: int) -> list[str]:
    """`count` codes such as secrets.token_urlsafe(18) gives, from one draw of randomness: 18 bytes make
    exactly 24 base64 letters, so each code is a 24-letter slice of one encoding."""
    text = base64.urlsafe_b64encode(secrets.token_bytes(18 * count)).decode()
    return [text[start:start + 24] for start in range(0, 24 * count, 24)]


def _contacts_known(emails: set[str], phones: set[str]) -> list[tuple[int, str, str]]:
    """(key, e-mail, phone digits) of the known contacts with any of these e-mails or phones, oldest first.
    Unconfirmed contacts (public submissions) are never matched: anyone could have typed them. The lists
    go in as one parameter each (keys_in), so every chunk runs the same statement: the `IN` lists of
    each chunk's own length were the memory that grew through a long run (~0.75 MB a statement)."""
    table = connection.ops.quote_name(Contact._meta.db_table)
    by_email, emails_values = keys_in("email", emails)
    by_phone, phones_values = keys_in("phone_digits", phones)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, email, phone_digits FROM {table} WHERE ({by_email} OR {by_phone})"
                       f" AND NOT provisional AND erased_at IS NULL ORDER BY id", [*emails_values, *phones_values])
        return cursor.fetchall()
