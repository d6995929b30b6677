"""The card's print page offers its PDF: the link the operator clicks gives the card as a PDF on
the letterhead, read back with pdftotext."""

import subprocess

import pytest

from amends.answers.models import Letterhead
from amends.complaints.choices import Channel
from amends.complaints.services import complaint_register
from amends.customers.services import contact_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("pdftotext")]


def test_print_page_pdf_link_gives_the_card_on_the_letterhead(people, login_as, tmp_path):
    Letterhead.objects.create(name="Amends Service LLC", registration="Reg. No. 286.110.01234",
                              address="1 Abovyan St, Yerevan 0001", email="care@amends.example")
    contact = contact_create(full_name="Անի Սարգսյան", email="ani@example.am")
    card = complaint_register(actor=people["operator"], channel=Channel.EMAIL, contact=contact,
                              wording="Առաքումը ուշացավ երեք օր։")
    page = login_as(people["operator"])
    page.goto(f"/complaints/{card.number}/print/")
    link = page.locator("#print-pdf")
    assert link.is_visible()
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    (tmp_path / "card.pdf").write_bytes(response.body())
    text = subprocess.run(["pdftotext", str(tmp_path / "card.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in ("Amends Service LLC", card.number, "Անի Սարգսյան", "Առաքումը ուշացավ երեք օր։"):
        assert expected in text, expected
    assert not login_as.page_errors
