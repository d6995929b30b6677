"""One full-text index per kind of document, on whichever database the project runs.

SQLite: an FTS5 table holding the documents' stems (`text.stems`, computed here in Python), ranked
by bm25. PostgreSQL: a table of `tsvector`s made by the `russian` configuration (Russian stems for
Cyrillic words, English stems for Latin ones) with a GIN index, ranked by `ts_rank`. A document is
a few texts, heaviest first (weights A, B, C on PostgreSQL; the bm25 weights on SQLite).

A word found in very many documents is ranked among its newest matches only (`CANDIDATES`), so a
search costs about the same on a million documents as on a hundred thousand.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import connection

from .text import stems, words

# How many of the newest matches are ranked, at most.
CANDIDATES = 1_000


@dataclass(frozen=True)
class Index:
    table: str
    columns: tuple[str, ...]  # heaviest first
    weights: tuple[float, ...]  # bm25's, one per column

    def create_sql(self, vendor: str) -> list[str]:
        if vendor == "sqlite":
            # detail=column: positions are not kept (no phrase queries), which halves the index.
            return [
                f"CREATE VIRTUAL TABLE {self.table} USING fts5({', '.join(self.columns)}, "
                "tokenize='unicode61 remove_diacritics 0', detail=column)"
            ]
        return [
            f"CREATE TABLE {self.table} (object_id bigint PRIMARY KEY, document tsvector NOT NULL)",
            f"CREATE INDEX {self.table}_document ON {self.table} USING gin (document)",
        ]

    def drop_sql(self) -> list[str]:
        return [f"DROP TABLE IF EXISTS {self.table}"]


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


def documents_replace(index: Index, documents: Mapping[int, Sequence[str]]) -> int:
    """Index these documents (object id -> its texts, one per column), replacing what was indexed
    for them before. Returns how many."""
    if not documents:
        return 0
    ids = list(documents)
    with connection.cursor() as cursor:
        if _sqlite():
            _delete(cursor, index, ids)
            placeholders = ", ".join(["%s"] * (len(index.columns) + 1))
            cursor.executemany(
                f"INSERT INTO {index.table} (rowid, {', '.join(index.columns)}) VALUES ({placeholders})",
                [(pk, *(_distinct_stems(text) for text in texts)) for pk, texts in documents.items()],
            )
        else:
            vector = " || ".join(
                f"setweight(to_tsvector('russian', %s), '{weight}')" for weight in "ABCD"[:len(index.columns)]
            )
            cursor.executemany(
                f"INSERT INTO {index.table} (object_id, document) VALUES (%s, {vector}) "
                "ON CONFLICT (object_id) DO UPDATE SET document = EXCLUDED.document",
                [(pk, *(" ".join(words(text)) for text in texts)) for pk, texts in documents.items()],
            )
    return len(documents)


def documents_delete(index: Index, ids: Iterable[int]) -> None:
    with connection.cursor() as cursor:
        _delete(cursor, index, list(ids))


def _delete(cursor, index: Index, ids: list[int]) -> None:
    if _sqlite():
        # One rowid at a time: FTS5 seeks `rowid = ?` but reads the whole table for `rowid IN (...)`.
        cursor.executemany(f"DELETE FROM {index.table} WHERE rowid = %s", [(pk,) for pk in ids])
        return
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        cursor.execute(f"DELETE FROM {index.table} WHERE object_id IN ({', '.join(['%s'] * len(chunk))})", chunk)


def index_recreate(index: Index) -> None:
    """SQLite: the index made empty anew before every document is written again; FTS5 fills a
    fresh table many times faster than it replaces documents in place. PostgreSQL replaces in place."""
    if _sqlite():
        with connection.cursor() as cursor:
            for statement in index.drop_sql() + index.create_sql("sqlite"):
                cursor.execute(statement)


def indexed_sql(index: Index, column: str) -> str:
    """A condition: the object whose id is in `column` has a document (EXISTS, never NOT IN: on
    PostgreSQL a NOT IN over a million ids is read once per row)."""
    key = "rowid" if _sqlite() else "object_id"
    return f"EXISTS (SELECT 1 FROM {index.table} WHERE {index.table}.{key} = {column})"


def documents_orphaned_delete(index: Index, table: str) -> int:
    """Forget the documents of objects no longer in `table` (the model's table, keyed by id)."""
    key = "rowid" if _sqlite() else "object_id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {index.table} WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {table}.id = {index.table}.{key})"
        )
        return cursor.rowcount


def index_optimize(index: Index) -> None:
    """After a bulk rebuild: SQLite merges the index into one segment; PostgreSQL refreshes the
    planner's statistics (how common each word is decides how the GIN index is used)."""
    with connection.cursor() as cursor:
        if _sqlite():
            cursor.execute(f"INSERT INTO {index.table} ({index.table}) VALUES ('optimize')")
        else:
            cursor.execute(f"ANALYZE {index.table}")


def documents_matching(index: Index, query: str, *, limit: int | None = None, as_typed: bool = False) -> list[int]:
    """Ids of the documents holding every word of the query (in any of its forms), best first.
    Any text is a valid query: it is read as words, never as the engine's syntax. `as_typed`: the
    last word may be the start of one still being typed ("Кузн" finds "Кузнецова")."""
    if _sqlite():
        terms = stems(query)
        if not terms:
            return []
        # Each stem quoted: a stem is letters and digits only, so nothing in it is FTS5 syntax.
        expression = " ".join(f'"{term}"' for term in terms) + ("*" if as_typed else "")
        return _sqlite_matching(index, expression, limit)
    # PostgreSQL's parser would keep an e-mail or "2026-000123" whole; split as SQLite's are.
    found = words(query)
    if not found:
        return []
    if as_typed:
        # Letters and digits only, so nothing in a word is tsquery syntax.
        return _postgresql_matching(index, " & ".join(found) + ":*", limit, parser="to_tsquery")
    return _postgresql_matching(index, " ".join(found), limit)


def _sqlite_matching(index: Index, expression: str, limit: int | None) -> list[int]:
    weights = ", ".join(str(weight) for weight in index.weights)
    with connection.cursor() as cursor:
        # The oldest of the newest CANDIDATES matches: FTS5 walks its lists newest first and stops.
        cursor.execute(
            f"SELECT min(rowid) FROM (SELECT rowid FROM {index.table} WHERE {index.table} MATCH %s "
            "ORDER BY rowid DESC LIMIT %s)", [expression, CANDIDATES],
        )
        oldest = cursor.fetchone()[0]
        if oldest is None:
            return []
        cursor.execute(
            f"SELECT rowid FROM {index.table} WHERE {index.table} MATCH %s AND rowid >= %s "
            f"ORDER BY bm25({index.table}, {weights}), rowid DESC LIMIT %s",
            [expression, oldest, limit or CANDIDATES],
        )
        return [row[0] for row in cursor.fetchall()]


def _postgresql_matching(index: Index, folded: str, limit: int | None, parser: str = "plainto_tsquery") -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT object_id FROM ("
            f" SELECT object_id, document FROM {index.table}"
            f" WHERE document @@ {parser}('russian', %s) ORDER BY object_id DESC LIMIT %s"
            f") newest ORDER BY ts_rank(document, {parser}('russian', %s)) DESC, object_id DESC LIMIT %s",
            [folded, CANDIDATES, folded, limit or CANDIDATES],
        )
        return [row[0] for row in cursor.fetchall()]


def _distinct_stems(text: str) -> str:
    """Each stem once: with detail=column the index keeps only whether a column holds a word, so
    the repeats would only cost time and space."""
    return " ".join(dict.fromkeys(stems(text)))
