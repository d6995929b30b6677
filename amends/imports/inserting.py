"""Inserting many prepared rows of one model at once: their keys reserved ahead, so rows that point at
each other (a card, its timeline entry, its source row) are inserted together without reading keys back."""

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, cast

from django.db import connection, models


def ids_reserve(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys nobody else will take: from the table's sequence on PostgreSQL; on SQLite
    after the highest ever given, which is safe because the transaction holds the write lock
    (transaction_mode IMMEDIATE) until the rows are in."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [table, count])
            return [row[0] for row in cursor.fetchall()]
        quoted = connection.ops.quote_name(table)
        cursor.execute(
            f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0),"
            f" coalesce((SELECT max(id) FROM {quoted}), 0))", [table],
        )
        last = cursor.fetchone()[0]
    return list(range(last + 1, last + 1 + count))


class Inserter:
    """INSERTs of `model` with every column prepared once from an unsaved `template` (defaults, empty
    texts); each row gives only the values of `names` (attnames), in that order, in the database's form.
    The primary key is inserted when `names` holds it, else the database gives it."""

    def __init__(self, model: type[models.Model], template: models.Model, names: Sequence[str]):
        fields = [field for field in model._meta.concrete_fields if not field.primary_key or field.attname in names]
        self.constant = [
            None if field.primary_key else field.get_db_prep_save(field.pre_save(template, True), connection=connection)
            for field in fields
        ]
        position = {field.attname: index for index, field in enumerate(fields)}
        self.positions = [position[name] for name in names]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(cast(str, field.column)) for field in fields)
        self.sql = (f"INSERT INTO {quote(model._meta.db_table)} ({columns})"
                    f" VALUES ({', '.join(['%s'] * len(fields))})")

    def insert(self, rows: Iterable[Sequence[Any]]) -> int:
        positions, constant, lines = self.positions, self.constant, []
        for values in rows:
            line = constant.copy()
            for index, value in zip(positions, values, strict=True):
                line[index] = value
            lines.append(line)
        if lines:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, lines)
        return len(lines)


def moment_converter() -> Callable[[datetime | None], Any]:
    """A function giving a datetime as this database takes it in a prepared row."""
    return _as_given if connection.vendor == "postgresql" else _sqlite_moment


def _as_given(moment: datetime | None) -> datetime | None:
    return moment


@lru_cache(maxsize=65536)
def _sqlite_moment(moment: datetime | None) -> str | None:
    # What DatabaseOperations.adapt_datetimefield_value writes with USE_TZ: UTC, naive, ISO with a space.
    return None if moment is None else moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
