"""Running an import: the journal read in chunks, each chunk's cards, references, contacts and source
rows inserted in bulk and committed with the run's counters, so a run stopped anywhere resumes after
its last committed row and the same file twice creates nothing new."""

from collections.abc import Callable
from pathlib import Path

from .models import ImportRun

Progress = Callable[[ImportRun], None]


def import_run(run: ImportRun, *, progress: Progress | None = None) -> ImportRun:
    """Read `run.file` with `run.columns` into cards, committing in chunks; resumes after `run.committed_row`."""
    raise NotImplementedError


def import_file(path: Path, *, columns: dict[str, str] | None = None, source: str = "", user=None,
                progress: Progress | None = None) -> ImportRun:
    """Import the journal at `path` (the command): columns guessed when not given, source from the file's name."""
    raise NotImplementedError
