from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from amends.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = ("Restore a backup made by `amends backup` from the folder SRC into this instance, which must be "
            "empty (no tables, no media in its folder or bucket): no migrate before it. Checks every checksum "
            "first and every table's row count after.")

    def add_arguments(self, parser):
        parser.add_argument("src", type=Path)

    def handle(self, *args, **options):
        try:
            report = backup_restore(src=options["src"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored {report.rows} rows in {report.tables} tables ({report.engine}) and "
                          f"{report.files} files ({report.bytes} bytes) from {report.path}.")
