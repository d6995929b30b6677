import time

from django.core.management.base import BaseCommand

from amends.search.rebuild import FILLERS


class Command(BaseCommand):
    help = (
        "Fill the full-text search index: the documents missing from it (cards stored without the "
        "services, e.g. by a bulk load), or with --all every document again (after a change of what a "
        "document holds, or of the stemming). Documents are written in committed chunks. PostgreSQL "
        "replaces them in place, so search keeps answering meanwhile; SQLite starts from an empty index "
        "(many times faster), so search finds only the documents written so far until the run ends. An "
        "interrupted run is simply started again (without --all it writes only what is still missing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="index every document again")

    def handle(self, *args, **options):
        for name, filler in FILLERS.items():
            started = time.monotonic()

            def progress(done: int, name: str = name, started: float = started) -> None:
                self.stdout.write(f"{name}: {done} indexed, {time.monotonic() - started:.0f} s", ending="\r")
                self.stdout.flush()

            count = filler.fill(options["all"], progress if options["verbosity"] > 0 else None)
            self.stdout.write(f"{name}: {count} documents indexed in {time.monotonic() - started:.1f} s.")
