"""Benchmark, run by hand: `.venv/bin/python bench/backup.py [--cards 100000] [--files 2000]`.

On a fresh SQLite instance in a temporary folder (production settings): migrate, load the demo, add
cards in bulk (copies of the demo's cards with their timelines, as bench/register.py does) up to
--cards, and --files attachment files of --file-kb each in the media folder; then time
`amends backup` (in this process: SQLite's online backup API, the media copy and the manifest's
checksums) and `amends restore` into a second, empty instance (a new process, as an operator runs it),
and print the sizes and times.
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Sets up Django on a fresh SQLite instance in a temporary folder.
from bench.register import VAR_DIR, add_copies, say  # noqa: E402

# isort: split

from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from amends.complaints.models import Attachment, Complaint, TimelineEvent  # noqa: E402
from amends.demo.load import load_demo  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def add_files(count: int, size_kb: int, rng: random.Random) -> None:
    cards = list(Complaint.objects.order_by("?").values_list("pk", flat=True)[:count])
    for i, card in enumerate(cards):
        attachment = Attachment(complaint_id=card, original_name=f"photo-{i}.jpg", size=size_kb * 1024,
                                content_type="image/jpeg")
        attachment.file.save(f"photo-{i}.jpg", ContentFile(rng.randbytes(size_kb * 1024)), save=False)
        attachment.save()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--file-kb", type=int, default=50)
    options = parser.parse_args()
    rng = random.Random(11)
    restore_dir = tempfile.mkdtemp(prefix="amends-bench-restore-")
    backup = Path(tempfile.mkdtemp(prefix="amends-bench-backup-")) / "backup"
    try:
        call_command("migrate", verbosity=0)
        load_demo()
        templates = list(Complaint.objects.values_list("pk", flat=True))
        started = time.perf_counter()
        add_copies(max(0, options.cards - len(templates)), templates, rng)
        add_files(options.files, options.file_kb, rng)
        say(f"Filled in {time.perf_counter() - started:.0f} s: {Complaint.objects.count()} cards, "
            f"{TimelineEvent.objects.count()} timeline events, {Attachment.objects.count()} attachments; "
            f"database {Path(connection.settings_dict['NAME']).stat().st_size / 2**20:.0f} MiB")
        connection.close()

        started = time.perf_counter()
        call_command("backup", str(backup))
        backup_seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in backup.rglob("*") if p.is_file())
        say(f"backup: {backup_seconds:.1f} s, {size / 2**20:.0f} MiB in {sum(1 for _ in backup.rglob('*'))} entries")

        env = {**os.environ, "AMENDS_VAR_DIR": restore_dir, "MEDIA_ROOT": str(Path(restore_dir) / "media")}
        started = time.perf_counter()
        done = subprocess.run([str(ROOT / ".venv" / "bin" / "amends"), "restore", str(backup)], env=env,
                              cwd=ROOT, capture_output=True, text=True)
        restore_seconds = time.perf_counter() - started
        if done.returncode:
            raise SystemExit(f"restore failed: {done.stderr}")
        say(f"restore (a new process, with its start, the checksums and the row-count check): "
            f"{restore_seconds:.1f} s; {done.stdout.strip()}")
    finally:
        connection.close()
        for folder in (VAR_DIR, restore_dir, str(backup.parent)):
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
