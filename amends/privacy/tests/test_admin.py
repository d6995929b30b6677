import io
import json
import zipfile
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command

from amends.accounts.roles import Role
from amends.customers.services import contact_create
from amends.privacy.models import Erasure

from .conftest import NAME


def in_english(user) -> None:
    user.language = "en"
    user.save(update_fields=["language"])

CHANGELIST = "/admin/customers/contact/"


def test_the_administrator_exports_a_person_as_a_zip(person, administrator, client):
    client.force_login(administrator)
    response = client.post(CHANGELIST, {"action": "export_personal_data", "_selected_action": [person.contact.pk]})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("personal-data.json"))
    assert data["contacts"][0]["full_name"] == NAME


def test_an_unconfirmed_contact_is_not_exported_from_the_admin_or_the_command(person, administrator, client, tmp_path):
    stranger = contact_create(full_name="Незнакомка", email=person.contact.email, provisional=True)
    in_english(administrator)
    client.force_login(administrator)
    response = client.post(CHANGELIST, {"action": "export_personal_data", "_selected_action": [stranger.pk]},
                           follow=True)
    assert response["Content-Type"].startswith("text/html") and "unconfirmed" in response.content.decode()
    with pytest.raises(CommandError, match="unconfirmed"):
        call_command("personal_data", "export", str(stranger.pk), "--by", "qms",
                     "--output", str(tmp_path / "out.zip"), stdout=StringIO())
    assert not (tmp_path / "out.zip").exists()


def test_erasure_from_the_admin_asks_first_then_records_who_and_why(person, administrator, client):
    in_english(administrator)
    client.force_login(administrator)
    form = {"action": "erase_personal_data", "_selected_action": [person.contact.pk]}
    page = client.post(CHANGELIST, form)
    assert page.status_code == 200 and "cannot be undone" in page.content.decode()
    assert not Erasure.objects.exists()

    client.post(CHANGELIST, form | {"confirmed": "yes", "reason": "Letter No. 17"})
    erasure = Erasure.objects.get()
    assert erasure.requested_by == administrator and erasure.reason == "Letter No. 17"
    person.contact.refresh_from_db()
    assert person.contact.full_name == "[erased]"


def test_staff_without_the_role_get_neither_action(person, make_user, client):
    clerk = make_user("clerk", Role.OPERATOR, is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_contact", "change_contact"]))
    client.force_login(clerk)
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert "erase_personal_data" not in page.content.decode()
    client.post(CHANGELIST, {"action": "erase_personal_data", "_selected_action": [person.contact.pk],
                             "confirmed": "yes"})
    assert not Erasure.objects.exists()


def test_the_command_exports_each_format_and_erases(person, qms, tmp_path):
    for suffix in ("json", "pdf", "zip"):
        call_command("personal_data", "export", str(person.contact.pk), "--by", "qms",
                     "--output", str(tmp_path / f"out.{suffix}"), stdout=StringIO())
    assert NAME in (tmp_path / "out.json").read_text()
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")
    assert "personal-data.pdf" in zipfile.ZipFile(tmp_path / "out.zip").namelist()

    with pytest.raises(CommandError):
        call_command("personal_data", "erase", str(person.contact.pk), "--by", "nobody-such", stdout=StringIO())
    out = StringIO()
    call_command("personal_data", "erase", str(person.contact.pk), "--by", "qms", "--reason", "Letter", stdout=out)
    assert "Erased: 2 cards, 1 contact rows." in out.getvalue()
