"""Inserting many rows as one statement whatever their number.

`bulk_create` splits its rows by the backend's parameter limit (999 parameters on SQLite), so a
periodic job that inserts rows per card would issue more queries as the cards grow. One
`executemany` runs the same statement for every row and counts as a single query.
"""

import json
from collections.abc import Iterable
from typing import Any, cast

from django.db import connection, models


def insert_rows(model: type[models.Model], objects: list[models.Model], *, ignore_conflicts: bool = False) -> None:
    """Insert unsaved instances (no signals, no save(); auto-increment keys are not read back)."""
    if not objects:
        return
    meta, quote = model._meta, connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if field is not meta.auto_field]
    # A concrete field always has a column; the stubs type it for every field, str | None.
    columns = ", ".join(quote(cast(str, field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"  # SQLite ≥ 3.24 and PostgreSQL
    rows = [
        [field.get_db_prep_save(field.pre_save(obj, True), connection=connection) for field in fields]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def keys_in(column: str, keys: Iterable[Any]) -> tuple[str, list[Any]]:
    """The condition "`column` is one of `keys`" and its one parameter: the same statement whatever the
    number of keys (an `IN` of as many parameters as keys is a new statement each time, and SQLite
    keeps the last 128 prepared, each as large as its list)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(keys)]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(keys))]
