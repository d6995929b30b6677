"""A backup is a folder: the database (`db.sqlite3`, copied with SQLite's online backup API, or
`db.dump`, pg_dump's custom format), `media/` (the uploaded and received files), and `manifest.json`,
written last, with the row count of every table and the sha256 of every file. `backup_restore`
checks the manifest before it touches anything, restores only into an empty instance (no tables, no
media), and afterwards compares the restored row counts with the manifest.

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
    media, size = Path(settings.MEDIA_ROOT), 0
    for path in sorted(media.rglob("*")) if media.is_dir() else []:
        if path.is_file():
            relative = path.relative_to(media).as_posix()
            copied = dest / "media" / relative
            copied.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copied)
            files[f"media/{relative}"] = _sha256(copied)
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
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(media.iterdir()):
        raise BackupError(f"The media folder {media} is not empty: restore only into a new, empty instance.")
    if engine == "sqlite":
        _restore_sqlite(src)
    else:
        _restore_postgresql(src)
    size, files = 0, [name for name in manifest["files"] if name.startswith("media/")]
    for name in files:
        target = media / name.removeprefix("media/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / name, target)
        size += target.stat().st_size
    with connection.cursor() as cursor:
        counts = _counts(cursor, list(manifest["tables"]))
    if counts != manifest["tables"]:
        wrong = {t: (counts[t], n) for t, n in manifest["tables"].items() if counts[t] != n}
        raise BackupError(f"The restored tables differ from the backup (restored, backed up): {wrong}")
    return BackupReport(src, engine, len(counts), sum(counts.values()), len(files), size)
