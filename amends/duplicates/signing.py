"""Signing many cards at once (`duplicates_index`), with the same rows as `services.signatures_store`.

Cards are signed in batches by primary key. A batch is signed outside any transaction and
written in a short committed one, so registrations go on beside it, and an interrupted run continues
where it stopped: the cards still unsigned are found again, and a re-signing of every card keeps how
far it got in its `SigningProgress` row, written in the same transactions as the batches.

When many cards are to be signed, the indexes that each new row lands at a random place of (band
keys, digests) are dropped first and built once at the end: on a large table every batch otherwise
rewrote most of their pages. A run builds them at its end whatever happened, and any run builds the
ones it finds missing (a killed run) or invalid (a concurrent build on PostgreSQL that was stopped).
"""

from django.db import connection, models, transaction
from django.utils import timezone

from amends.complaints.models import Complaint

from . import detector
from .models import SignatureBand, SigningProgress, TextSignature

BATCH_SIZE = 2000
# Signing at least this many cards, and at least this share of the table, drops and builds the
# indexes (bench/scale.py: ...).
BULK_MIN_CARDS = 20_000
BULK_MIN_SHARE = 0.25


def _signatures_write(signatures: dict[int, detector.Signature]) -> None:
    """Store each card's signature and band keys in place of those it had."""
    if not signatures:
        return
    q = connection.ops.quote_name
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = ("complaint_id", "size", "sketch", "digest", "updated_at")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {q(TextSignature._meta.db_table)} ({', '.join(map(q, columns))}) "
            f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT ({q(columns[0])}) "
            f"DO UPDATE SET {', '.join(f'{q(c)} = excluded.{q(c)}' for c in columns[1:])}",
            [(pk, s.size, s.sketch_bytes(), s.digest, now) for pk, s in signatures.items()],
        )
        SignatureBand.objects.filter(complaint_id__in=signatures).delete()
        # One statement whatever the count: on SQLite this runs while the database is held.
        cursor.executemany(
            f"INSERT INTO {q(SignatureBand._meta.db_table)} ({q('complaint_id')}, {q('key')}) VALUES (%s, %s)",
            [(pk, key) for pk, s in signatures.items() for key in s.bands],
        )


def signatures_rebuild(*, only_missing: bool = True, batch_size: int = BATCH_SIZE) -> int:
    """Sign the cards without a signature, or every card (`only_missing=False`, after the detector
    changed; an interrupted one is continued by the next). Returns the number of cards signed."""
    progress = None if only_missing else (SigningProgress.objects.first() or SigningProgress.objects.create())
    cards = Complaint.objects.order_by("pk").values_list("pk", "wording")
    if only_missing:
        cards = cards.filter(text_signature__isnull=True)
    last = progress.last_card if progress else 0
    to_sign = cards.filter(pk__gt=last).count()
    if to_sign >= BULK_MIN_CARDS and to_sign >= BULK_MIN_SHARE * Complaint.objects.count():
        _indexes_drop()
    done = 0
    try:
        while batch := list(cards.filter(pk__gt=last)[:batch_size]):
            done += _batch_sign(batch, progress)
            last = batch[-1][0]
    finally:
        _indexes_ensure()
    if progress:
        progress.delete()
    return done


def _batch_sign(batch: list[tuple[int, str]], progress: SigningProgress | None) -> int:
    signatures = {pk: detector.signature(wording) for pk, wording in batch}
    with transaction.atomic():
        # A card reworded or removed since it was read: signed again here, or left out.
        current = dict(Complaint.objects.filter(pk__in=signatures).values_list("pk", "wording"))
        read = dict(batch)
        signatures = {
            pk: signature if current[pk] == read[pk] else detector.signature(current[pk])
            for pk, signature in signatures.items() if pk in current
        }
        _signatures_write(signatures)
        if progress:
            SigningProgress.objects.filter(pk=progress.pk).update(last_card=batch[-1][0])
    return len(signatures)


def _random_indexes() -> list[tuple[type[models.Model], models.Index]]:
    # The band table's complaint index stays: its rows arrive in card order, at its end.
    return [(model, index) for model in (SignatureBand, TextSignature) for index in model._meta.indexes]


def _index_valid(model: type[models.Model], index: models.Index) -> bool | None:
    """Whether the index is there and usable; None when it is not there."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)",
                           [connection.ops.quote_name(index.name)])
            row = cursor.fetchone()
            return None if row is None else row[0]
        return True if index.name in connection.introspection.get_constraints(cursor, model._meta.db_table) else None


def _index_create_sql(model: type[models.Model], index: models.Index) -> str:
    # Concurrently on PostgreSQL, so that registrations write meanwhile. SQLite's schema editor is
    # not entered: on leaving, it checks every foreign key of the database.
    options = {"concurrently": True} if connection.vendor == "postgresql" else {}
    return str(index.create_sql(model, connection.schema_editor(), **options))


def _index_drop_sql(index: models.Index) -> str:
    concurrently = " CONCURRENTLY" if connection.vendor == "postgresql" else ""
    return f"DROP INDEX{concurrently} IF EXISTS {connection.ops.quote_name(index.name)}"


def _index_run(sql: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # a concurrent build cannot run in a transaction
            cursor.execute(sql)
        return
    with transaction.atomic(), connection.cursor() as cursor:  # on SQLite, in the writers' queue
        cursor.execute(sql)


def _indexes_drop() -> None:
    for _model, index in _random_indexes():
        _index_run(_index_drop_sql(index))


def _indexes_ensure() -> None:
    """Build the signature indexes that are missing or invalid."""
    for model, index in _random_indexes():
        valid = _index_valid(model, index)
        if valid is False:
            _index_run(_index_drop_sql(index))
        if not valid:
            _index_run(_index_create_sql(model, index))
