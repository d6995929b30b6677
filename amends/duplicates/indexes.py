"""The band-key index, which a bulk signing drops and builds again (see signing.py).

Every row a batch inserts lands at a random place of it, so on a large table each batch rewrote most
of its pages. Without it the duplicate search would read the whole band table for each key, so the
search leaves band keys out until the index is back.
"""

from django.db import connection, transaction

from .models import SignatureBand

BAND_INDEX = next(index for index in SignatureBand._meta.indexes if index.name == "duplicates_band_key")


def _band_index_valid() -> bool | None:
    """Whether the index is there and usable; None when it is not there."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)",
                           [connection.ops.quote_name(BAND_INDEX.name)])
        else:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = %s", [BAND_INDEX.name])
        row = cursor.fetchone()
    return None if row is None else bool(row[0])


def band_index_ready() -> bool:
    return _band_index_valid() is True


def _run(sql: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql)  # concurrently, outside a transaction: registrations write meanwhile
            return
        cursor.execute("PRAGMA temp_store")
        setting = cursor.fetchone()[0]
        # The build's sort spilled to memory took three times as long, and as much memory as the index.
        cursor.execute("PRAGMA temp_store = FILE")
        try:
            with transaction.atomic():  # in the writers' queue
                cursor.execute(sql)
        finally:
            cursor.execute(f"PRAGMA temp_store = {int(setting)}")


def band_index_drop() -> None:
    concurrently = " CONCURRENTLY" if connection.vendor == "postgresql" else ""
    _run(f"DROP INDEX{concurrently} IF EXISTS {connection.ops.quote_name(BAND_INDEX.name)}")


def band_index_ensure() -> bool:
    """Build the index when it is missing (a bulk signing was killed) or invalid (on PostgreSQL, its
    concurrent build was stopped). Returns whether it was built."""
    valid = _band_index_valid()
    if valid is False:
        band_index_drop()
    if not valid:
        options = {"concurrently": True} if connection.vendor == "postgresql" else {}
        # SQLite's schema editor is not entered: on leaving, it checks every foreign key of the database.
        _run(str(BAND_INDEX.create_sql(SignatureBand, connection.schema_editor(), **options)))
    return not valid
