from django.core.management.base import BaseCommand

from amends.duplicates.signing import signatures_rebuild


class Command(BaseCommand):
    help = (
        "Store the text signatures duplicate detection compares cards by (cards without one, or --all). "
        "Cards are signed in committed batches: an interrupted run continues where it stopped when started "
        "again (with --all too). When many cards are to be signed, the band-key and digest indexes are "
        "dropped and built again at the end, also when the run fails; a run that was killed before that "
        "leaves them missing, and the next run of this command (at every `make run`) builds them. Meanwhile "
        "registration goes on, its duplicate search slower."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="re-sign every card, e.g. after the detector changed")

    def handle(self, *args, **options):
        count = signatures_rebuild(only_missing=not options["all"])
        self.stdout.write(f"Signed {count} complaints.")
