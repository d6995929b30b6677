from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from amends.accounts.models import User
from amends.customers.models import Contact
from amends.privacy.export import personal_data_export, personal_data_json, personal_data_zip
from amends.privacy.pdf import export_pdf
from amends.privacy.services import access_personal_data, personal_data_erase


class Command(BaseCommand):
    help = (
        "A person's data: `export CONTACT_ID --output FILE` (.json, .pdf or .zip with the files), "
        "`erase CONTACT_ID --by USERNAME --reason TEXT`."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("contact", type=int, help="the contact person's ID (the admin shows it)")
        parser.add_argument("--by", required=True, help="user name of the head of the QMS or administrator acting")
        parser.add_argument("--output", type=Path, help="export: the file to write; its suffix picks the format")
        parser.add_argument("--reason", default="", help="erase: the request it carries out, e.g. the letter's date")

    def handle(self, *args, action: str, contact: int, by: str, output: Path | None, reason: str, **options):
        person = Contact.objects.filter(pk=contact).first()
        actor = User.objects.filter(username=by, is_active=True).first()
        if person is None or actor is None:
            raise CommandError("No such contact person." if person is None else f"No active user {by!r}.")
        if action == "erase":
            erasure = personal_data_erase(contact=person, actor=actor, reason=reason)
            self.stdout.write(f"Erased: {erasure.scope['cards']} cards, {erasure.scope['contacts']} contact rows.")
            return
        access_personal_data(actor)
        if output is None or output.suffix not in (".json", ".pdf", ".zip"):
            raise CommandError("Give --output ending in .json, .pdf or .zip.")
        try:
            if output.suffix == ".zip":
                output.write_bytes(personal_data_zip(contact=person))
            else:
                data = personal_data_export(contact=person)
                output.write_bytes(personal_data_json(data) if output.suffix == ".json" else export_pdf(data))
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages)) from refused
        self.stdout.write(f"Wrote {output}.")
