"""Placeholder on the deliver branch only: the documents part owns this module (the letter PDF with
letterhead, logo and the envelope address block); the lead keeps that one on merge."""

from django.utils.html import escape, linebreaks
from weasyprint import HTML  # type: ignore[import-untyped]

from .models import Letter


def letter_pdf(letter: Letter, *, for_post: bool = False) -> bytes:
    contact = letter.complaint.contact
    address = f"<p>{escape(contact.full_name)}<br>{linebreaks(contact.address)}</p>" if for_post and contact else ""
    html = f"<html><body>{address}<h1>{escape(letter.subject)}</h1>{linebreaks(letter.body)}</body></html>"
    return HTML(string=html).write_pdf()
