"""The letter and card documents for download: who may see the card may read its letters."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import content_disposition_header

from amends.complaints.card_page import card_for_request

from .. import documents
from ..models import Letter

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def document_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """A PDF opens in the browser; a DOCX is saved, to be opened in Word."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(content_type != PDF, filename) or "inline"
    return response


def document_download(
    request, number: str, make: Callable[[], bytes], content_type: str, filename: str,
) -> HttpResponse:
    """The document, or back to the card with what stopped it (a character the fonts lack, no Pango)."""
    try:
        return document_response(make(), content_type, filename)
    except documents.DocumentError as error:
        messages.error(request, str(error))
        return redirect("complaints:detail", number=number)


@login_required
def letter_pdf(request, number: str, pk: int):
    letter = get_object_or_404(Letter, complaint=card_for_request(request, number), pk=pk)
    for_post = request.GET.get("post") == "1"
    return document_download(request, number, lambda: documents.letter_pdf(letter, for_post=for_post),
                     PDF, documents.file_name(letter, "pdf"))


@login_required
def letter_docx(request, number: str, pk: int):
    letter = get_object_or_404(Letter, complaint=card_for_request(request, number), pk=pk)
    return document_download(
        request, number, lambda: documents.letter_docx(letter), DOCX, documents.file_name(letter, "docx"),
    )


@login_required
def card_pdf(request, number: str):
    complaint = card_for_request(request, number)
    return document_download(
        request, number, lambda: documents.card_pdf(complaint), PDF, f"card-{complaint.number}.pdf",
    )
