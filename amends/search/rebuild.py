"""Who fills each index: the app that owns its documents registers how (from its AppConfig.ready()),
so that the command `search_index` rebuilds them all without knowing the apps above it."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from .engine import Index, documents_orphaned_delete, index_optimize, index_recreate, indexed_sql


@dataclass(frozen=True)
class Filler:
    index: Index
    # fill(every_document, progress) -> how many documents it indexed; every_document False: only
    # the objects missing from the index.
    fill: Callable[[bool, Callable[[int], None] | None], int]


FILLERS: dict[str, Filler] = {}


def register_filler(name: str, index: Index, fill: Callable[[bool, Callable[[int], None] | None], int]) -> None:
    FILLERS[name] = Filler(index, fill)


def index_fill(index: Index, objects: QuerySet, index_objects: Callable[[list[int]], int], *, every: bool,
               progress: Callable[[int], None] | None = None, chunk: int = 2_000) -> int:
    """Index the objects missing from the index, or every object again (`search_index --all`: on SQLite
    into an index made anew, on PostgreSQL in place), `chunk` keys at a time, each chunk committed by
    `index_objects`."""
    table_name = objects.model._meta.db_table
    objects = objects.order_by("pk")
    if every:
        index_recreate(index)
    else:
        indexed = RawSQL(indexed_sql(index, f"{connection.ops.quote_name(table_name)}.id"), [],
                         output_field=BooleanField())
        objects = objects.alias(indexed=indexed).filter(indexed=False)
    done, last = 0, 0
    # Page by page on the key, no cursor left open across the writes (on SQLite an open read keeps
    # the write-ahead log from being checkpointed).
    while keys := list(objects.filter(pk__gt=last).values_list("pk", flat=True)[:chunk]):
        done += index_objects(keys)
        last = keys[-1]
        if progress:
            progress(done)
    if every:
        documents_orphaned_delete(index, table_name)
    if every or done > chunk * 10:
        index_optimize(index)
    return done
