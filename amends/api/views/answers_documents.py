"""A letter's PDF and DOCX and the card's PDF: the same documents, rules and errors as the card's links."""

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation

from amends.answers import documents
from amends.answers.views.documents import DOCX, PDF, document_response

from ..exceptions import Unprocessable
from ..schema import LETTER_PARAMETER, NUMBER_PARAMETER, ErrorSerializer, errors
from .answers_letters import letter_of
from .base import ApiView, card

POST_PARAMETER = OpenApiParameter(
    "post", OpenApiTypes.BOOL, OpenApiParameter.QUERY, required=False,
    description=gettext_lazy("With the address block placed for a DL window envelope, to send by post."),
)


class _PdfQuerySerializer(serializers.Serializer):
    post = serializers.BooleanField(required=False, default=False)


NOT_MADE = {422: OpenApiResponse(ErrorSerializer, description=gettext_lazy(
    "The document cannot be made: the text holds a character the fonts have no glyph for (named in the "
    "message), or the server lacks what PDF needs (Pango, the fonts).",
))}


class _ErrorsAsJson(DefaultContentNegotiation):
    """The document goes out as it is; an error is JSON, even to a client that accepts only PDF."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class _DocumentView(ApiView):
    content_negotiation_class = _ErrorsAsJson

    def made(self, make, content_type: str, filename: str):
        try:
            return document_response(make(), content_type, filename)
        except documents.DocumentError as error:
            raise Unprocessable(str(error), code="document_not_made") from None


class LetterPdfView(_DocumentView):
    @extend_schema(
        operation_id="complaints_letter_pdf", tags=["answers"],
        parameters=[NUMBER_PARAMETER, LETTER_PARAMETER, POST_PARAMETER],
        responses={(200, PDF): OpenApiTypes.BINARY, **errors(400, 401, 404, object_in_path=True), **NOT_MADE},
        description=gettext_lazy("The letter as a PDF on the company's letterhead."),
    )
    def get(self, request, number: str, letter_id: str):
        letter = letter_of(card(request, number), letter_id)
        query = _PdfQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)  # as the schema says: a boolean or nothing
        for_post = query.validated_data["post"]
        return self.made(lambda: documents.letter_pdf(letter, for_post=for_post), PDF,
                         documents.file_name(letter, "pdf"))


class LetterDocxView(_DocumentView):
    @extend_schema(
        operation_id="complaints_letter_docx", tags=["answers"], parameters=[NUMBER_PARAMETER, LETTER_PARAMETER],
        responses={(200, DOCX): OpenApiTypes.BINARY, **errors(401, 404, object_in_path=True), **NOT_MADE},
        description=gettext_lazy("The letter as a Word document, to edit."),
    )
    def get(self, request, number: str, letter_id: str):
        letter = letter_of(card(request, number), letter_id)
        return self.made(lambda: documents.letter_docx(letter), DOCX, documents.file_name(letter, "docx"))


class CardPdfView(_DocumentView):
    @extend_schema(
        operation_id="complaints_pdf", tags=["complaints"], parameters=[NUMBER_PARAMETER],
        responses={(200, PDF): OpenApiTypes.BINARY, **errors(401, 404), **NOT_MADE},
        description=gettext_lazy("The complaint card's print layout, with its sign-offs, as a PDF."),
    )
    def get(self, request, number: str):
        complaint = card(request, number)
        return self.made(lambda: documents.card_pdf(complaint), PDF, f"card-{complaint.number}.pdf")
