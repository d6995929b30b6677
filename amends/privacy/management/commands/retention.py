from django.core.management.base import BaseCommand

from amends.privacy.services import retention_anonymise, retention_due, retention_years


class Command(BaseCommand):
    help = "Anonymise closed cards whose retention period (AMENDS_RETENTION_YEARS) is over; --dry-run lists them."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="print what would be anonymised, change nothing")
        parser.add_argument("--years", type=int, help="the retention period instead of AMENDS_RETENTION_YEARS")
        parser.add_argument("--limit", type=int, default=500, help="cards per run (default 500)")

    def handle(self, *args, dry_run: bool, years: int | None, limit: int, **options):
        years = retention_years() if years is None else years
        if dry_run:
            due = retention_due(years=years)
            for complaint in due[:limit]:
                ended = complaint.closed_at or complaint.updated_at
                self.stdout.write(f"{complaint.number}\t{complaint.get_state_display()}\t{ended:%Y-%m-%d}")
            self.stdout.write(f"{due.count()} cards closed more than {years} years ago would be anonymised.")
            return
        erasure = retention_anonymise(years=years, limit=limit)
        cards = erasure.scope["cards"] if erasure is not None else 0
        contacts = erasure.scope["contacts"] if erasure is not None else 0
        self.stdout.write(f"Anonymised {cards} cards and {contacts} contact persons.")
