"""Letters and the complaint card as documents (DOMAIN.md §2, §6): PDF through WeasyPrint, A4, on the
company's letterhead with its logo, in DejaVu Sans, which covers Latin, Cyrillic and Armenian
(Debian's fonts-dejavu-core, in AMENDS_PDF_FONT_DIR, else where fontconfig finds it); a letter as
DOCX through python-docx for those who edit in Word."""

import mimetypes
import shutil
import subprocess
import unicodedata
from base64 import b64encode
from functools import cache
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import urlopen

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from docx import Document
from docx.shared import Mm, Pt
from fontTools.ttLib import TTFont

from amends.accounts.models import User
from amends.complaints.models import Complaint
from amends.complaints.selectors import card_print_context

from .letter_names import letterhead as current_letterhead
from .logo import SVG, logo_content_type
from .models import Letter, Letterhead

FONT_FAMILY = "DejaVu Sans"
# Each face the documents use: (CSS weight, CSS style) → its file, and its style for fontconfig.
FONT_FACES = {
    ("normal", "normal"): ("DejaVuSans.ttf", "Book"),
    ("bold", "normal"): ("DejaVuSans-Bold.ttf", "Bold"),
    ("normal", "italic"): ("DejaVuSans-Oblique.ttf", "Oblique"),
    ("bold", "italic"): ("DejaVuSans-BoldOblique.ttf", "Bold Oblique"),
}
# The address a document's own links resolve against; only the fonts, the static files under it
# and inline (data:) images are ever fetched, so a logo or a text cannot make the server fetch a URL.
BASE_URL = "https://amends.invalid/"


class DocumentError(Exception):
    """A document that cannot be made; the message says why, for the person who asked for it."""


class MissingGlyph(DocumentError):
    """A character the fonts have no glyph for: it would print as a box."""


def letter_pdf(letter: Letter, *, for_post: bool = False) -> bytes:
    """The letter on the letterhead; `for_post` places the recipient's postal address and the
    sender's return address in the window of a DL envelope (DIN 5008 form B) and marks the folds."""
    # The letter is worded in its language; what stops it is told in the reader's.
    with translation.override(letter.language):
        context = letter_context(letter)
        html = render_to_string("answers/pdf/letter.html", {**context, "for_post": for_post})
    if for_post and not context["recipient"]["address"].strip():
        raise DocumentError(
            _("The customer has no postal address: fill it in on the card to send the letter by post."),
        )
    return html_pdf(html, layout=render_to_string("answers/pdf/letter.css"))


def card_pdf(complaint: Complaint) -> bytes:
    """The complaint card's print layout with its sign-offs, on the letterhead, in the active language."""
    letterhead = current_letterhead()
    context = {
        **card_print_context(complaint),
        "letterhead": letterhead, "logo": logo_uri(letterhead), "contacts": letterhead_contacts(letterhead),
    }
    return html_pdf(render_to_string("answers/pdf/card.html", context))


def letter_context(letter: Letter) -> dict[str, Any]:
    """What a letter shows, for the PDF and the DOCX alike."""
    complaint = letter.complaint
    letterhead = current_letterhead()
    signer = letter.signed_by
    return {
        "letter": letter, "complaint": complaint, "letterhead": letterhead, "logo": logo_uri(letterhead),
        "contacts": letterhead_contacts(letterhead),
        # One line above the window: the address without its line breaks.
        "return_address": " ".join(letterhead.address.split()) if letterhead else "",
        "number": letter_number(letter),
        "date": timezone.localdate(letter.sent_at) if letter.sent_at else timezone.localdate(),
        "recipient": recipient(complaint),
        "signer": signer, "signer_name": (signer.get_full_name() or signer.username) if signer else "",
        "signer_contacts": [c for c in (signer.phone, signer.email) if c] if signer else [],
        "enclosures": [a.original_name for a in letter.enclosures.all()],
    }


def letter_number(letter: Letter) -> str:
    """The letter's outgoing number: the card's number and the letter's place among its letters."""
    return f"{letter.complaint.number}/{letter.complaint.letters.filter(pk__lte=letter.pk).count()}"


def file_name(letter: Letter, extension: str) -> str:
    return f"letter-{letter_number(letter).replace('/', '-')}.{extension}"


def recipient(complaint: Complaint) -> dict[str, str]:
    contact, organisation = complaint.contact, complaint.organisation
    address = (contact.address if contact else "") or (organisation.address if organisation else "")
    return {
        "name": contact.full_name if contact else "",
        "organisation": organisation.name if organisation else "",
        "address": address,
        "email": (contact.email if contact else "") or (organisation.email if organisation else ""),
    }


def letterhead_contacts(letterhead: Letterhead | None) -> list[str]:
    if letterhead is None:
        return []
    return [c for c in (letterhead.phone, letterhead.email, letterhead.website) if c]


def logo_uri(letterhead: Letterhead | None) -> str:
    """The logo inline (data:), so the renderer never reads storage or the network itself."""
    if letterhead is None or not letterhead.logo:
        return ""
    content = _logo_bytes(letterhead)
    try:
        content_type = logo_content_type(content)
    except ValidationError as error:  # a file stored before the check existed
        raise DocumentError(" ".join(error.messages)) from None
    return f"data:{content_type};base64,{b64encode(content).decode()}"


def _logo_bytes(letterhead: Letterhead) -> bytes:
    try:
        with letterhead.logo.open("rb") as logo:
            return logo.read()
    except OSError as error:
        raise DocumentError(_("The letterhead's logo cannot be read: %(error)s") % {"error": error}) from None


# --- PDF ---------------------------------------------------------------------------------------

def html_pdf(html: str, *, layout: str = "") -> bytes:
    """`html` as a PDF with the documents' fonts; `layout` is the document's own stylesheet (kept out of
    the HTML, as every template's styles are: the content security policy allows no inline styles)."""
    glyphs_check(html_text(html))
    weasyprint = _weasyprint()
    fonts = weasyprint.text.fonts.FontConfiguration()
    fetcher = _fetcher(weasyprint)
    stylesheet = weasyprint.CSS(
        string=render_to_string("answers/pdf/documents.css", {"faces": font_faces()}),
        font_config=fonts, url_fetcher=fetcher,
    )
    stylesheets = [stylesheet]
    if layout:
        stylesheets.append(weasyprint.CSS(string=layout, font_config=fonts, url_fetcher=fetcher))
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=stylesheets, font_config=fonts)


def _weasyprint() -> Any:
    # WeasyPrint loads Pango's shared libraries when it is imported. Imported here, when a PDF is
    # asked for, it lets the app start on a machine without Pango and the request say what is missing.
    try:
        import weasyprint
    except OSError as error:
        raise DocumentError(_("PDF needs Pango: %(error)s") % {"error": error}) from error
    return weasyprint


def _fetcher(weasyprint: Any) -> Any:
    class Fetcher(weasyprint.urls.URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            content_type = (parts.path.split(";")[0] if parts.scheme == "data"
                            else mimetypes.guess_type(parts.path)[0]) or "application/octet-stream"
            return weasyprint.urls.URLFetcherResponse(url, document_resource(url), {"Content-Type": content_type})

    return Fetcher()


def document_resource(url: str) -> bytes:
    """The bytes of a font face, a static file or an inline image; any other URL is refused."""
    parts = urlsplit(url)
    if parts.scheme == "data":
        with urlopen(url) as data:  # only data: reaches urlopen: decoded in memory
            return data.read()
    if parts.scheme == "file" and Path(unquote(parts.path)) in font_files().values():
        return Path(unquote(parts.path)).read_bytes()
    static = BASE_URL + settings.STATIC_URL.lstrip("/")
    if url.startswith(static):
        name = unquote(parts.path).removeprefix("/" + settings.STATIC_URL.lstrip("/"))
        found = _static_file(name)
        if found is not None:
            return found.read_bytes()
    raise ValueError(f"A document fetches no {url}")


def _static_file(name: str) -> Path | None:
    """An app's static file (the finders refuse a name that climbs out of their folders), else a
    collected one (by its hashed name, in production) from STATIC_ROOT, never above it."""
    found = finders.find(name)
    if found:
        return Path(str(found))
    root = Path(settings.STATIC_ROOT).resolve()
    collected = (root / name).resolve()
    return collected if collected.is_relative_to(root) and collected.is_file() else None


@cache
def font_files() -> dict[tuple[str, str], Path]:
    return {face: _font_file(name, style) for face, (name, style) in FONT_FACES.items()}


def _font_file(name: str, style: str) -> Path:
    path = Path(settings.AMENDS_PDF_FONT_DIR) / name
    if path.is_file():
        return path
    if shutil.which("fc-match"):
        found = subprocess.run(
            ["fc-match", "--format=%{file}", f"{FONT_FAMILY}:style={style}"],
            capture_output=True, text=True, timeout=10, check=False,
        ).stdout
        if Path(found).name == name:
            return Path(found)
    raise DocumentError(
        _("Documents need the font %(font)s (Debian, Ubuntu: apt-get install fonts-dejavu-core).") % {"font": name},
    )


def font_faces() -> list[dict[str, str]]:
    return [
        {"family": FONT_FAMILY, "weight": weight, "style": style, "url": path.as_uri()}
        for (weight, style), path in font_files().items()
    ]


@cache
def covered_characters() -> frozenset[int]:
    """The characters every face has a glyph for, so text in any of them never falls back to a box."""
    maps = [set(TTFont(path, lazy=True).getBestCmap()) for path in font_files().values()]
    return frozenset(set.intersection(*maps))


def glyphs_check(text: str) -> None:
    """Refuse text with a character the fonts cannot draw, naming it, rather than print a box."""
    covered = covered_characters()
    missing = sorted({
        c for c in text
        if ord(c) not in covered and not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf")
    })
    if missing:
        raise MissingGlyph(ngettext(
            "The font has no glyph for %(characters)s; the document would show a box there. Write it otherwise.",
            "The font has no glyphs for %(characters)s; the document would show boxes there. Write them otherwise.",
            len(missing),
        ) % {"characters": ", ".join(f"«{c}» (U+{ord(c):04X} {unicodedata.name(c, '')})" for c in missing)})


class _Text(HTMLParser):
    HIDDEN = frozenset({"head", "style", "script", "title"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self._hidden += tag in self.HIDDEN

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in self.HIDDEN

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The text a page shows: what the glyph check reads."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


# --- DOCX --------------------------------------------------------------------------------------

def letter_docx(letter: Letter) -> bytes:
    """The letter in Word's format: letterhead (with a PNG or JPEG logo; Word takes no SVG here),
    date and number, recipient, subject, text, signer and enclosures, each as plain paragraphs."""
    with translation.override(letter.language):
        context = letter_context(letter)
        document = Document()
        section = document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin, section.right_margin = Mm(20), Mm(15)
        section.top_margin = section.bottom_margin = Mm(15)
        normal = document.styles["Normal"]
        normal.font.name, normal.font.size = FONT_FAMILY, Pt(10.5)
        _docx_letterhead(section.header, context)
        _docx_letter(document, context)
        output = BytesIO()
        document.save(output)
        return output.getvalue()


def _docx_letterhead(header: Any, context: dict[str, Any]) -> None:
    letterhead: Letterhead | None = context["letterhead"]
    if letterhead is None:
        return
    first = header.paragraphs[0]
    if context["logo"] and not context["logo"].startswith(f"data:{SVG}"):
        first.add_run().add_picture(BytesIO(_logo_bytes(letterhead)), height=Mm(15))
        first = header.add_paragraph()
    first.add_run(letterhead.name).bold = True
    for line in (letterhead.registration, letterhead.address, " · ".join(context["contacts"])):
        if line:
            header.add_paragraph(line).runs[0].font.size = Pt(8)


def _docx_letter(document: Any, context: dict[str, Any]) -> None:
    letter: Letter = context["letter"]
    to = context["recipient"]
    for line in (to["name"], to["organisation"], *to["address"].splitlines(), to["email"]):
        if line.strip():
            document.add_paragraph(line.strip())
    document.add_paragraph(
        f"{_('Date')}: {date_format(context['date'], 'SHORT_DATE_FORMAT')}    {_('No.')} {context['number']}",
    )
    document.add_heading(letter.subject, level=2)
    for paragraph in letter.body.split("\n\n"):
        document.add_paragraph(paragraph.strip())
    signer: User | None = context["signer"]
    if signer is not None:
        signature = document.add_paragraph()
        signature.add_run(context["signer_name"]).bold = True
        for line in (signer.position, *context["signer_contacts"]):
            if line:
                signature.add_run("\n" + line)
    if context["enclosures"]:
        document.add_paragraph(_("Enclosures"), style="Heading 3")
        for name in context["enclosures"]:
            document.add_paragraph(name, style="List Number")
