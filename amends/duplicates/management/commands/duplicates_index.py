from django.core.management.base import BaseCommand

from amends.duplicates.signing import signatures_rebuild


class Command(BaseCommand):
    help = (
        "Store the text signatures duplicate detection compares cards by (cards without one, or --all). "
        "Cards are signed in committed batches: an interrupted run, --all too, continues where it stopped when "
        "started again. When many cards are to be signed, the band-key index is dropped and built again at the "
        "end, also when the run fails; if the run is killed before that, the next run of this command (at every "
        "`make run`) builds it. Registration goes on meanwhile; its search leaves band keys out until the index "
        "is back, and the cards registered meanwhile are searched again then."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="re-sign every card, e.g. after the detector changed")

    def handle(self, *args, **options):
        count = signatures_rebuild(only_missing=not options["all"])
        self.stdout.write(f"Signed {count} complaints.")
