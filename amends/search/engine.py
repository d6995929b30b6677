"""One full-text index per kind of document, on whichever database the project runs.

SQLite: an FTS5 table holding the documents' stems (`text.stems`, computed here in Python), ranked
by bm25. PostgreSQL: a table of `tsvector`s made by the `russian` configuration (Russian stems for
Cyrillic words, English stems for Latin ones) with a GIN index, ranked by `ts_rank`. A document is
a few texts, heaviest first (weights A, B, C on PostgreSQL; the bm25 weights on SQLite).

A word found in very many documents is ranked among its newest matches only (`CANDIDATES`), so a
search costs about the same on a million documents as on a hundred thousand. PostgreSQL looks for
them among the newest `WINDOW` documents first, then further back only if they are too few.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import connection

from .text import stems, words

# How many of the newest matches are ranked, at most.
CANDIDATES = 1_000
# PostgreSQL: the newest documents' ids first. Within this range the planner can AND the GIN index
# with the key's, so a word in 1-3 % of the documents costs a read of its newest matches only,
# where walking the key back read 30,000-60,000 documents and the GIN index alone every match.
WINDOW = 50_000
# A document read walking the key back costs about a fifth of one read from the GIN index's matches
# (a page each, scattered), measured at a million.
WALK_COST_RATIO = 5


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
    query = f"{parser}('russian', %s)"
    with connection.cursor() as cursor:
        # The range's bound as a constant, so that the planner can tell how many ids it holds.
        cursor.execute(f"SELECT max(object_id) FROM {index.table}")
        newest = cursor.fetchone()[0]
        if newest is None:
            return []
        bound = newest - WINDOW
        ranked = _postgresql_ranked(cursor, index, query, folded, "object_id > %s", bound, CANDIDATES, walk=True)
        if (found := len(ranked)) < CANDIDATES and bound > 0:
            # The older ones missing: walking the key back reads about missing / share documents, the
            # GIN index's matches share * bound; the window tells the word's share better than the
            # planner's statistics, which walked through 80,000 documents for a word in 0.8 % of them.
            missing = CANDIDATES - found
            walk = found > 0 and missing * WINDOW / found < WALK_COST_RATIO * found * bound / WINDOW
            ranked += _postgresql_ranked(cursor, index, query, folded, "object_id <= %s", bound, missing, walk=walk)
    ranked.sort(key=lambda row: (-row[1], -row[0]))
    return [pk for pk, _rank in ranked[:limit or CANDIDATES]]


def _postgresql_ranked(cursor, index: Index, query: str, folded: str, condition: str, bound: int,
                       count: int, *, walk: bool) -> list[tuple[int, float]]:
    """The newest `count` matches within the condition on the id, each with its rank. Not `walk`: the
    order is an expression, which the key's index cannot give, so the matches come from the GIN index."""
    order = "object_id DESC" if walk else "-object_id"
    cursor.execute(
        f"SELECT object_id, ts_rank(document, {query}) FROM ("
        f" SELECT object_id, document FROM {index.table} WHERE document @@ {query} AND {condition}"
        f" ORDER BY {order} LIMIT %s) newest",
        [folded, folded, bound, count],
    )
    return cursor.fetchall()


def _distinct_stems(text: str) -> str:
    """Each stem once: with detail=column the index keeps only whether a column holds a word, so
    the repeats would only cost time and space."""
    return " ".join(dict.fromkeys(stems(text)))
