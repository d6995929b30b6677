"""Django's SQLite backend with these changes.

- LIKE folds case for every alphabet, so that Cyrillic and Armenian searches (`icontains`,
  `iexact`) behave as on PostgreSQL.
- Write transactions queue on a file lock before BEGIN IMMEDIATE, and so does a write statement
  outside a transaction (a `save()`, an `update()`). SQLite lets one writer in at a time and makes
  the others poll with sleeps of up to 100 ms, so under concurrent intake most of the time went to
  sleeping; the kernel hands a released lock to the next waiter at once.
- The write-ahead log is copied back into the database after the writer has left the queue, not
  inside its commit, so that the next writer does not wait for the copy (settings turn SQLite's
  own automatic checkpoint off).
"""

import fcntl
import logging
import os
import sys
import time
import weakref
from contextlib import contextmanager, nullcontext
from types import FrameType

from django.db import OperationalError
from django.db.backends.sqlite3 import base

from .like import like

logger = logging.getLogger(__name__)

# As long as SQLite's own busy timeout: a writer that waits longer gets "database is locked".
WAIT_SECONDS = 20
# A write transaction held longer than this is logged with the code that began it: every other writer
# (the web requests storing complaints too) waited for it, and past WAIT_SECONDS they fail.
LONG_HOLD_SECONDS = 5
# SQLite's automatic checkpoint comes every 1,000 pages; a registration writes about 20.
CHECKPOINT_EVERY_COMMITS = 50


class WriterQueue:
    """An exclusive flock on a file beside the database, one open file per connection."""

    def __init__(self, path: str):
        self.path = path
        self.fd: int | None = None
        self.held = False
        self.held_since = 0.0
        self.contended = False
        self.holder = ""

    def acquire(self, timeout: float = WAIT_SECONDS) -> None:
        if self.fd is None:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            # Closed with the queue even when nobody calls close(): a server thread that ends drops
            # its connection without closing it.
            self._closer = weakref.finalize(self, os.close, self.fd)
        self.contended = False
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._wait(self.fd, timeout)
            self.contended = True
        self.held = True
        self.held_since = time.monotonic()
        self.holder = _caller()

    def _wait(self, fd: int, timeout: float) -> None:
        # A blocking flock cannot time out; a short alarm-free poll can. Blocking first for the
        # common short wait would need a thread, so poll at 0.2 ms rising to 2 ms.
        deadline, pause = time.monotonic() + timeout, 0.0002
        while True:
            time.sleep(pause)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OperationalError("database is locked") from None
                pause = min(pause * 2, 0.002)

    def release(self, *, yield_if_contended: bool = False) -> None:
        if self.held:
            assert self.fd is not None  # held only after acquire() opened it
            self.held = False
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            held = time.monotonic() - self.held_since
            if held > LONG_HOLD_SECONDS:
                logger.warning("A write transaction held the database for %.1f s (begun in %s)", held, self.holder)
            if yield_if_contended and self.contended:
                # Twice as long as it held the lock, so that a background writer takes at most a
                # third of it while others are waiting for it.
                time.sleep(min(2 * (time.monotonic() - self.held_since), 0.05))

    def close(self) -> None:
        self.release()
        if self.fd is not None:
            self._closer()
            self.fd = None


def _caller() -> str:
    """The innermost frame of the project's own code outside this backend: where a transaction began."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if "/amends/" in name and "/amends/core/sqlite/" not in name:
            return f"{name.rsplit('/amends/', 1)[1]}:{frame.f_lineno} {frame.f_code.co_name}"
        frame = frame.f_back
    return "outside the project's code"


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


class QueuedWritesCursor(base.SQLiteCursorWrapper):
    """A write statement run outside a transaction is a transaction of its own: it queues as one."""

    wrapper: "DatabaseWrapper"

    def execute(self, query, params=None):
        with self._queued_if_alone(query):
            return super().execute(query, params)

    def executemany(self, query, param_list):
        with self._queued_if_alone(query):
            return super().executemany(query, param_list)

    def _queued_if_alone(self, query: str):
        if self.connection.in_transaction or query.lstrip()[:6].upper() not in _WRITES:
            return nullcontext()
        return self.wrapper.queued_statement()


class DatabaseWrapper(base.DatabaseWrapper):
    writer_queue: WriterQueue | None = None
    # Set by background processes (the worker): after a write that others queued for, step aside.
    yields_to_others = False
    commits_since_checkpoint = 0
    # Set by Django's SQLite backend from OPTIONS; its stub leaves it out, as it does the private
    # hooks overridden below (hence their "type: ignore[misc]").
    transaction_mode: str | None

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.create_function("like", 2, like, deterministic=True)
        connection.create_function("like", 3, like, deterministic=True)
        return connection

    def create_cursor(self, name=None):
        cursor = self.connection.cursor(factory=QueuedWritesCursor)
        cursor.wrapper = self
        return cursor

    def _queues_writers(self) -> bool:
        # DEFERRED transactions take SQLite's lock only when they first write: not queued.
        return self.transaction_mode in ("IMMEDIATE", "EXCLUSIVE") and not self.is_in_memory_db()

    @contextmanager
    def queued_statement(self):
        if not self._queues_writers():
            yield
            return
        queue = self._queue()
        queue.acquire()
        try:
            yield
        finally:
            self._leave_queue()

    def _start_transaction_under_autocommit(self):
        if not self._queues_writers():
            return super()._start_transaction_under_autocommit()  # type: ignore[misc]
        queue = self._queue()
        queue.acquire()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            queue.release()
            raise

    def _queue(self) -> WriterQueue:
        # The test runner renames the database after this wrapper is made: follow the name in use.
        path = f"{self.settings_dict['NAME']}-writers"
        if self.writer_queue is None or self.writer_queue.path != path:
            if self.writer_queue is not None:
                self.writer_queue.close()
            self.writer_queue = WriterQueue(path)
        return self.writer_queue

    def _commit(self):
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._leave_queue()
        self._checkpoint_now_and_then()

    def _checkpoint_now_and_then(self):
        self.commits_since_checkpoint += 1
        if self.commits_since_checkpoint < CHECKPOINT_EVERY_COMMITS or self.connection is None:
            return
        self.commits_since_checkpoint = 0
        # PASSIVE neither waits for nor blocks readers and writers; what it cannot copy yet, a later one will.
        self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def _rollback(self):
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._leave_queue()

    def _close(self):
        try:
            return super()._close()  # type: ignore[misc]
        finally:
            if self.writer_queue is not None:
                self.writer_queue.close()

    def _leave_queue(self):
        if self.writer_queue is not None:
            self.writer_queue.release(yield_if_contended=self.yields_to_others)
