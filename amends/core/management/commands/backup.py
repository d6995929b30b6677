from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from amends.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = ("Back up the database (online: SQLite's backup API, or pg_dump) and the media files (the media "
            "folder, or the S3 bucket) into the folder DEST, with a manifest of row counts and checksums.")

    def add_arguments(self, parser):
        parser.add_argument("dest", type=Path)

    def handle(self, *args, **options):
        try:
            report = backup_create(dest=options["dest"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backed up {report.rows} rows in {report.tables} tables ({report.engine}) and "
                          f"{report.files} files ({report.bytes} bytes) into {report.path}.")
