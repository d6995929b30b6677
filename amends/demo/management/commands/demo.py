"""`amends demo`: load the demo company, its customers and about 300 complaints."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from amends.complaints.models import Complaint
from amends.demo.company import PASSWORD
from amends.demo.load import load_demo
from amends.demo.texts import USERS


class Command(BaseCommand):
    help = (
        f"Load demo data: users for every role (password “{PASSWORD}”), departments, "
        "products, customers and about 300 complaints with their full history."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true",
            help="Do nothing when the database already has complaints.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"]:
            count = Complaint.objects.count()
            if count:
                self.stdout.write(
                    f"The database already has {count} complaints; demo data not loaded."
                )
                return
        result = load_demo()
        self.stdout.write(self.style.SUCCESS(result.summary()))
        names = ", ".join(username for username, *_ in USERS)
        self.stdout.write(f"Log in as any of: {names} — password “{PASSWORD}”.")
