from django.core.management.base import BaseCommand

from amends.duplicates.services import signatures_rebuild


class Command(BaseCommand):
    help = "Store the text signatures duplicate detection compares cards by (cards without one, or --all)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="re-sign every card, e.g. after the detector changed")

    def handle(self, *args, **options):
        count = signatures_rebuild(only_missing=not options["all"])
        self.stdout.write(f"Signed {count} complaints.")
