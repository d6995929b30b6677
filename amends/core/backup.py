"""A backup is a folder: the database (`db.sqlite3`, copied with SQLite's online backup API, or
`db.dump`, pg_dump's custom format), `media/` (the uploaded and received files, from the media
folder or from the bucket of an S3-compatible storage), and `manifest.json`, written last, with the
row count of every table and the sha256 of every file. `backup_restore` checks the manifest before it
touches anything, restores only into an empty instance (no tables, no media), and afterwards compares
the restored row counts with the manifest. The media go back where this instance keeps them, so a
backup taken with the files on disk restores into a bucket, and the other way round.

The database is copied before the media: a file is stored before the row that names it commits, so
every file a backed-up row names is in the backup (the media may hold a few files no row names yet).
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import connection, connections, transaction
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


@dataclass
class BackupReport:
    path: Path
    engine: str
    tables: int
    rows: int
    files: int
    bytes: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else connection.vendor


def _counts(cursor, tables: list[str]) -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - names from introspection
        counts[table] = cursor.fetchone()[0]
    return counts


def _pg_args() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    options = {"-h": db.get("HOST"), "-p": db.get("PORT"), "-U": db.get("USER")}
    args = [arg for flag, value in options.items() if value for arg in (flag, str(value))]
    env = {**os.environ, **({"PGPASSWORD": db["PASSWORD"]} if db.get("PASSWORD") else {})}
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()}")


def _backup_sqlite(dest: Path) -> dict[str, int]:
    target = dest / "db.sqlite3"
    source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]), timeout=20)
    copy = sqlite3.connect(str(target))
    try:
        # In one step (all pages under one read transaction): a consistent snapshot, while writers go on.
        source.backup(copy)
        tables = [row[0] for row in copy.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return _counts(copy.cursor(), tables)
    finally:
        copy.close()
        source.close()


def _backup_postgresql(dest: Path) -> dict[str, int]:
    args, env = _pg_args()
    with transaction.atomic(), connection.cursor() as cursor:
        # pg_dump reads the same snapshot as the counts below.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
              "-f", str(dest / "db.dump"), *args, settings.DATABASES["default"]["NAME"]], env)
        return _counts(cursor, connection.introspection.table_names(cursor))


def _media_names(storage: Storage) -> list[str]:
    """Every stored file's name, as the rows name it: the media folder's files, or the bucket's
    objects under the storage's prefix."""
    if isinstance(storage, FileSystemStorage):
        root = Path(storage.location)
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
    names, folders = [], [""]
    while folders:
        folder = folders.pop()
        subfolders, stored = storage.listdir(folder)
        names += [f"{folder}{name}" for name in stored]
        folders += [f"{folder}{sub}/" for sub in subfolders]
    return sorted(names)


def _copy_out(storage: Storage, name: str, target: Path) -> None:
    if isinstance(storage, FileSystemStorage):
        shutil.copy2(storage.path(name), target)
        return
    with storage.open(name, "rb") as stored, target.open("wb") as copy:
        shutil.copyfileobj(stored, copy, 1 << 20)


def _copy_in(storage: Storage, source: Path, name: str) -> None:
    if isinstance(storage, FileSystemStorage):
        target = Path(storage.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        return
    with source.open("rb") as content:
        saved = storage.save(name, content)
    if saved != name:  # the rows name the file as backed up: another name would orphan it
        raise BackupError(f"The media storage stored {name} as {saved}.")


def backup_create(*, dest: Path) -> BackupReport:
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty.")
    dest.mkdir(parents=True, exist_ok=True)
    engine = _engine()
    if engine == "sqlite":
        counts = _backup_sqlite(dest)
    elif engine == "postgresql":
        counts = _backup_postgresql(dest)
    else:
        raise BackupError(f"Backups of {engine} databases are not supported.")
    database = "db.sqlite3" if engine == "sqlite" else "db.dump"
    files = {database: _sha256(dest / database)}
    size = 0
    for name in _media_names(default_storage):
        copied = dest / "media" / name
        copied.parent.mkdir(parents=True, exist_ok=True)
        _copy_out(default_storage, name, copied)
        files[f"media/{name}"] = _sha256(copied)
        size += copied.stat().st_size
    manifest = {"format": FORMAT, "created_at": timezone.now().isoformat(), "engine": engine,
                "database": database, "tables": counts, "files": files}
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return BackupReport(dest, engine, len(counts), sum(counts.values()), len(files) - 1, size)


def _read_manifest(src: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((src / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{src} has no readable {MANIFEST}: it is not a complete backup ({error}).") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    for name, digest in manifest["files"].items():
        path = src / name
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"{name} in the backup is missing or damaged (its sha256 differs).")
    return manifest


def _restore_sqlite(src: Path) -> None:
    connections.close_all()
    source = sqlite3.connect(f"file:{src / 'db.sqlite3'}?mode=ro", uri=True)
    target = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]), timeout=20)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _restore_postgresql(src: Path) -> None:
    args, env = _pg_args()
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args,
          "-d", settings.DATABASES["default"]["NAME"], str(src / "db.dump")], env)


def backup_restore(*, src: Path) -> BackupReport:
    src = Path(src)
    manifest = _read_manifest(src)
    engine = _engine()
    if manifest["engine"] != engine:
        raise BackupError(f"This is a {manifest['engine']} backup; this instance runs on {engine}.")
    if connection.introspection.table_names():
        raise BackupError("The database is not empty: restore only into a new, empty instance.")
    if _media_names(default_storage):
        where = (f"The media folder {default_storage.location}" if isinstance(default_storage, FileSystemStorage)
                 else "The media storage")
        raise BackupError(f"{where} is not empty: restore only into a new, empty instance.")
    if engine == "sqlite":
        _restore_sqlite(src)
    else:
        _restore_postgresql(src)
    size, files = 0, [name for name in manifest["files"] if name.startswith("media/")]
    for name in files:
        _copy_in(default_storage, src / name, name.removeprefix("media/"))
        size += (src / name).stat().st_size
    with connection.cursor() as cursor:
        counts = _counts(cursor, list(manifest["tables"]))
    if counts != manifest["tables"]:
        wrong = {t: (counts[t], n) for t, n in manifest["tables"].items() if counts[t] != n}
        raise BackupError(f"The restored tables differ from the backup (restored, backed up): {wrong}")
    return BackupReport(src, engine, len(counts), sum(counts.values()), len(files), size)
