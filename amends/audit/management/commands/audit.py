from django.core.management.base import BaseCommand, CommandError

from amends.audit.services import audit_verify


class Command(BaseCommand):
    help = "verify: recompute the audit chain (and the timeline seals) and report the first broken entry."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        verdict = audit_verify()
        if verdict.reason:
            where = f"entry no. {verdict.broken.seq} (id {verdict.broken.pk})" if verdict.broken else "the end"
            raise CommandError(f"The audit chain is broken at {where}: {verdict.reason}. "
                               f"{verdict.entries} entries before it hold.")
        self.stdout.write(f"The audit chain holds: {verdict.entries} entries, {verdict.seals} timeline seals.")
