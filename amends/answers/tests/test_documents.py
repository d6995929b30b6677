"""The letter and card documents, read back: PDF text through pdftotext, page 1 through pdftoppm,
DOCX through python-docx."""

import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from docx import Document
from PIL import Image

from amends.accounts.roles import Role
from amends.answers.choices import Outcome
from amends.answers.documents import (
    DocumentError,
    MissingGlyph,
    card_pdf,
    document_resource,
    font_faces,
    letter_docx,
    letter_pdf,
)
from amends.answers.logo import LOGO_MAX_BYTES
from amends.answers.models import Letter, Letterhead
from amends.complaints.choices import Signatory
from amends.complaints.models import SignOff
from amends.complaints.services import attachment_store, complaint_register

pytestmark = pytest.mark.usefixtures("pdftotext")

TEXTS = {
    "ru": ("Ответ на вашу жалобу", "Уважаемый Иван Иванович!\n\nБлагодарим вас за обращение и приносим извинения "
           "за задержку доставки. Мы вернём 1 500 ₽ на вашу карту до 15 декабря.\n\nС уважением."),
    "en": ("Your complaint about the late delivery", "Dear Mr Ivanov,\n\nThank you for writing to us. We are sorry "
           "the delivery was three days late. We will refund £15 to your card by 15 December.\n\nKind regards."),
    "hy": ("Պատասխան ձեր բողոքին", "Հարգելի պարոն Իվանով,\n\nՇնորհակալություն մեզ գրելու համար։ Ներողություն "
           "ենք խնդրում առաքման ուշացման համար։ Մենք կվերադարձնենք 15000 դրամ մինչև դեկտեմբերի 15-ը։"),
}


def png_bytes(size: tuple[int, int] = (400, 120), kind: str = "PNG") -> bytes:
    output = BytesIO()
    Image.new("RGB", size, (20, 90, 160)).save(output, kind)
    return output.getvalue()


@pytest.fixture(autouse=True)
def _english():
    """Errors are asserted in their English source; each letter is rendered in its own language."""
    with translation.override("en"):
        yield


@pytest.fixture
def letterhead(db):
    head = Letterhead(
        name="ООО «Амендс Сервис»", registration="ОГРН 1027700132195, ИНН 7701234567",
        address="123456, Москва, ул. Примерная, д. 1", phone="+7 495 123-45-67",
        email="care@amends.example", website="amends.example",
    )
    head.logo.save("logo.png", SimpleUploadedFile("logo.png", png_bytes()), save=False)
    head.full_clean()
    head.save()
    return head


@pytest.fixture
def signer(make_user):
    user = make_user("petrova", Role.RESPONSIBLE, last_name="Петрова", position="Руководитель службы заботы",
                     phone="+7 495 123-45-68", email="petrova@amends.example")
    user.first_name = "Анна"
    user.save(update_fields=["first_name"])
    return user


def make_letter(complaint, signer, language: str, body: str | None = None) -> Letter:
    subject, text = TEXTS[language]
    complaint.contact.address = "620000, Екатеринбург, ул. Ленина, д. 5, кв. 7"
    complaint.contact.save(update_fields=["address"])
    letter = Letter.objects.create(
        complaint=complaint, outcome=Outcome.SATISFIED, language=language, subject=subject,
        body=text if body is None else body, signed_by=signer,
    )
    letter.enclosures.add(attachment_store(complaint, SimpleUploadedFile("чек-12345.pdf", b"%PDF-1.4"), None))
    return letter


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    (tmp_path / "doc.pdf").write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(tmp_path / "doc.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout


def first_page_png(pdf: bytes, tmp_path: Path) -> Image.Image:
    (tmp_path / "doc.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                    str(tmp_path / "doc.pdf"), str(tmp_path / "page")], check=True)
    return Image.open(tmp_path / "page.png").convert("RGB")


def inked_share(page: Image.Image) -> float:
    """The share of the page's pixels that are not white."""
    histogram = page.convert("L").histogram()
    return 1 - sum(histogram[240:]) / sum(histogram)


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("language", ["ru", "en", "hy"])
def test_letter_pdf_holds_letterhead_recipient_text_signer_and_enclosures(
    complaint, letterhead, signer, language, tmp_path,
):
    letter = make_letter(complaint, signer, language)
    pdf = letter_pdf(letter)
    assert pdf.startswith(b"%PDF")
    text = words(pdf_text(pdf, tmp_path))
    subject, body = TEXTS[language]
    for expected in (
        "ООО «Амендс Сервис»", "ОГРН 1027700132195", "ул. Примерная", "care@amends.example",
        "Иванов Иван Иванович", "Екатеринбург", f"{complaint.number}/1",
        subject, *[words(paragraph) for paragraph in body.split("\n\n")],
        "Анна Петрова", "Руководитель службы заботы", "+7 495 123-45-68", "чек-12345.pdf",
    ):
        assert expected in text, expected
    assert inked_share(first_page_png(pdf, tmp_path)) > 0.01


def test_letter_labels_are_in_the_letters_language(complaint, letterhead, signer, tmp_path):
    text = pdf_text(letter_pdf(make_letter(complaint, signer, "hy")), tmp_path)
    assert "Ամսաթիվ" in text and "Բողոք" in text  # "Date", "Complaint", whatever the active language


def test_letter_for_post_has_return_address_in_the_window(complaint, letterhead, signer, tmp_path):
    letter = make_letter(complaint, signer, "ru")
    text = pdf_text(letter_pdf(letter, for_post=True), tmp_path)
    assert "ООО «Амендс Сервис» · 123456, Москва, ул. Примерная, д. 1" in text
    # The window: the return line, then the recipient's postal address, at 20 mm × 45–90 mm of the sheet.
    (tmp_path / "post.pdf").write_bytes(letter_pdf(letter, for_post=True))
    box = subprocess.run(["pdftotext", "-bbox", str(tmp_path / "post.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    line = next(row for row in box.splitlines() if ">620000,<" in row)
    x_min, y_min = (float(line.split(f'{name}="')[1].split('"')[0]) for name in ("xMin", "yMin"))
    mm = 72 / 25.4
    assert 19 * mm < x_min < 25 * mm
    assert 45 * mm < y_min < 90 * mm


def test_a_letter_for_post_needs_the_customers_postal_address(complaint, letterhead, signer):
    letter = make_letter(complaint, signer, "en")
    complaint.contact.address = ""
    complaint.contact.save(update_fields=["address"])
    with pytest.raises(DocumentError, match="no postal address"):
        letter_pdf(letter, for_post=True)
    assert letter_pdf(letter).startswith(b"%PDF")  # by e-mail it needs none


def test_a_two_page_letter_numbers_its_pages(complaint, letterhead, signer, tmp_path):
    long_body = "\n\n".join(["Благодарим вас за терпение. " * 12] * 9)
    text = pdf_text(letter_pdf(make_letter(complaint, signer, "ru", body=long_body)), tmp_path)
    assert "1/2" in text.replace(" ", "") and "2/2" in text.replace(" ", "")


def test_character_without_glyph_is_named_not_drawn(complaint, letterhead, signer):
    letter = make_letter(complaint, signer, "hy", body="Գինը՝ 15000 ֏, 漢")
    with pytest.raises(MissingGlyph) as refused:
        letter_pdf(letter)
    assert "U+058F" in str(refused.value) and "ARMENIAN DRAM SIGN" in str(refused.value)
    assert "U+6F22" in str(refused.value)


def test_card_pdf_is_the_print_layout_with_sign_offs_on_the_letterhead(complaint, letterhead, qms, tmp_path):
    SignOff.objects.create(complaint=complaint, signatory=Signatory.QMS_HEAD, signed_by=qms, signed_at=timezone.now())
    with translation.override("ru"):  # the card is printed in the reader's language
        pdf = card_pdf(complaint)
    text = words(pdf_text(pdf, tmp_path))
    for expected in ("ООО «Амендс Сервис»", complaint.number, "Иванов Иван Иванович",
                     "Доставка опоздала на три дня", "Подписано в Amends: Qms"):
        assert expected in text, expected
    page = first_page_png(pdf, tmp_path)
    assert inked_share(page) > 0.02
    # The print page's button is not part of the document.
    assert "Печать" not in text


def test_letter_docx_holds_the_letter(complaint, letterhead, signer):
    letter = make_letter(complaint, signer, "hy")
    document = Document(BytesIO(letter_docx(letter)))
    text = "\n".join(p.text for p in document.paragraphs)
    header = "\n".join(p.text for p in document.sections[0].header.paragraphs)
    assert "ООО «Амендс Сервис»" in header and "ОГРН 1027700132195" in header
    assert document.sections[0].header.part.related_parts  # the logo picture
    for expected in ("Иванов Иван Иванович", "Екатеринбург", TEXTS["hy"][0], "Շնորհակալություն մեզ գրելու համար",
                     "Анна Петрова", "+7 495 123-45-68", "чек-12345.pdf", f"{complaint.number}/1"):
        assert expected in text, expected


@pytest.mark.parametrize(("name", "content", "message"), [
    ("logo.png", png_bytes((4200, 100)), "4200 × 100"),
    ("logo.png", b"GIF89a" + bytes(50), "PNG, JPEG or SVG"),
    ("logo.svg", b"<html><body>not a picture</body></html>", "PNG, JPEG or SVG"),
    ("logo.png", b"\x89PNG" + bytes(LOGO_MAX_BYTES), "at most 1"),
])
def test_logo_too_large_or_of_another_type_is_refused(db, name, content, message):
    head = Letterhead(name="Amends", registration="1", address="Yerevan")
    head.logo = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError) as refused:
        head.full_clean()
    assert message in " ".join(refused.value.message_dict["logo"])


def test_a_stored_logo_whose_file_is_gone_is_reported_on_save(letterhead):
    letterhead.logo.storage.delete(letterhead.logo.name)
    with pytest.raises(ValidationError) as refused:
        letterhead.full_clean()
    assert "upload it again" in refused.value.message_dict["logo"][0]


def test_svg_and_jpeg_logos_are_taken_and_scaled_into_the_letterhead(complaint, signer, tmp_path):
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="600">'
           b'<rect width="2000" height="600" fill="#cc0000"/></svg>')
    red, blue = (lambda r, g, b: r > 150 and g < 80), (lambda r, g, b: b > 120 and r < 80)
    for name, content, colour in (("logo.svg", svg, red), ("logo.jpg", png_bytes((3000, 3000), "JPEG"), blue)):
        Letterhead.objects.all().delete()
        head = Letterhead(name="Amends", registration="1", address="Yerevan")
        head.logo = SimpleUploadedFile(name, content)
        head.full_clean()
        head.save()
        page = first_page_png(letter_pdf(make_letter(complaint, signer, "en")), tmp_path)
        # The logo is drawn, and only within the letterhead's band (the top 45 mm of 297), whatever its size.
        band = page.size[1] * 45 // 297
        in_band = [pixel for pixel in page.crop((0, 0, page.size[0], band)).get_flattened_data() if colour(*pixel)]
        below = [pixel for pixel in page.crop((0, band, *page.size)).get_flattened_data() if colour(*pixel)]
        assert len(in_band) > 500, name
        assert not below, name
        # Word takes the raster logo into the header; an SVG one is left out, the letter still made.
        docx = Document(BytesIO(letter_docx(Letter.objects.last())))
        assert bool(docx.sections[0].header.part.related_parts) == (name == "logo.jpg"), name


# --- the card's links --------------------------------------------------------------------------

def test_the_card_links_give_the_letters_pdf_docx_and_the_card_pdf(client, operator, complaint, letterhead, signer):
    letter = make_letter(complaint, signer, "ru")
    client.force_login(operator)
    pdf = client.get(reverse("answers:letter_pdf", args=[complaint.number, letter.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'inline; filename="letter-{complaint.number}-1.pdf"'
    post = client.get(reverse("answers:letter_pdf", args=[complaint.number, letter.pk]) + "?post=1")
    assert post.content != pdf.content
    docx = client.get(reverse("answers:letter_docx", args=[complaint.number, letter.pk]))
    assert docx["Content-Disposition"].startswith("attachment;")
    assert Document(BytesIO(docx.content)).paragraphs
    card = client.get(reverse("answers:card_pdf", args=[complaint.number]))
    assert card.status_code == 200 and card.content.startswith(b"%PDF")
    links = render_to_string("answers/letter_documents.html", {"letter": letter})
    assert reverse("answers:letter_pdf", args=[complaint.number, letter.pk]) + "?post=1" in links


def test_a_letter_the_fonts_cannot_draw_goes_back_to_the_card_naming_the_character(
    client, operator, complaint, letterhead, signer,
):
    letter = make_letter(complaint, signer, "hy", body="Գինը՝ 15000 ֏")
    client.force_login(operator)
    response = client.get(reverse("answers:letter_pdf", args=[complaint.number, letter.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("complaints:detail", args=[complaint.number])
    assert "U+058F" in response.content.decode()


def test_a_letter_of_another_card_or_an_invisible_card_is_not_found(client, operator, executor, complaint, signer):
    letter = make_letter(complaint, signer, "ru")
    client.force_login(executor)
    assert client.get(reverse("answers:letter_pdf", args=[complaint.number, letter.pk])).status_code == 404
    client.force_login(operator)
    other = complaint_register(actor=operator, channel=complaint.channel, contact=complaint.contact, wording="Другая")
    assert client.get(reverse("answers:letter_docx", args=[other.number, letter.pk])).status_code == 404


def test_the_print_page_links_to_the_card_pdf(client, operator, complaint):
    client.force_login(operator)
    page = client.get(reverse("complaints:print", args=[complaint.number])).content.decode()
    assert f'href="{reverse("answers:card_pdf", args=[complaint.number])}"' in page


class _PangoMissing:
    """Stands for a machine without Pango: loading WeasyPrint fails as cffi's dlopen fails there."""

    def find_spec(self, name, path=None, target=None):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")


def test_without_pango_a_pdf_is_refused_with_what_is_missing_and_docx_still_works(
    monkeypatch, complaint, letterhead, signer,
):
    letter = make_letter(complaint, signer, "ru")
    for name in [name for name in sys.modules if name == "weasyprint" or name.startswith("weasyprint.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_PangoMissing(), *sys.meta_path])
    with pytest.raises(DocumentError, match="PDF needs Pango: cannot load library 'libpango-1.0-0'"):
        letter_pdf(letter)
    assert Document(BytesIO(letter_docx(letter))).paragraphs


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "https://example.com/logo.png", "http://169.254.169.254/latest/meta-data/",
    "https://amends.invalid/static/../../../../etc/passwd", "https://amends.invalid/static/%2e%2e/%2e%2e/etc/hostname",
])
def test_a_document_fetches_nothing_but_its_fonts_static_files_and_inline_images(url):
    with pytest.raises((ValueError, SuspiciousFileOperation)):
        document_resource(url)


def test_a_document_fetches_its_fonts_and_the_print_stylesheet():
    assert document_resource("https://amends.invalid/static/amends/print.css").startswith(b"@page")
    assert document_resource(font_faces()[0]["url"])[:4] == b"\x00\x01\x00\x00"
