"""Letters to the customer: drafted from a template, read, edited, and what still stops them."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from amends.answers.checks import letter_problems
from amends.answers.letters import letter_draft, letter_update
from amends.answers.models import LegalReference, Letter, LetterTemplate
from amends.complaints.access import LETTER
from amends.complaints.models import Complaint

from ..schema import LETTER_PARAMETER, NUMBER_PARAMETER, errors
from ..serializers.answers_letters import (
    LegalReferenceSerializer,
    LetterDraftInputSerializer,
    LetterSerializer,
    LetterTemplateSerializer,
    LetterUpdateInputSerializer,
    ProblemSerializer,
)
from .base import ApiView, card, writer


def letter_of(complaint: Complaint, letter_id: str) -> Letter:
    try:
        return complaint.letters.select_related("complaint", "signed_by").get(pk=int(letter_id))
    except Letter.DoesNotExist:
        raise NotFound(_("No such letter on this complaint.")) from None


class LettersView(ApiView):
    @extend_schema(
        operation_id="complaints_letters", tags=["answers"], parameters=[NUMBER_PARAMETER],
        responses={200: LetterSerializer(many=True), **errors(401, 404)},
        description=gettext_lazy("The complaint's letters to the customer, the oldest first."),
    )
    def get(self, request, number: str):
        letters = card(request, number).letters.select_related("signed_by").order_by("created_at", "pk")
        return Response(LetterSerializer(letters, many=True).data)

    @extend_schema(
        operation_id="complaints_letter_draft", tags=["answers"], parameters=[NUMBER_PARAMETER],
        request=LetterDraftInputSerializer,
        responses={201: LetterSerializer, **errors(400, 401, 403, 404, 409, 415)},
        description=gettext_lazy(
            "Draft the letter from a template, filled from the card: the responsible person or the QMS head. "
            "A letter not yet sent is drafted again in place, keeping its references, enclosures and signer."),
    )
    def post(self, request, number: str):
        complaint = card(request, number)
        writer(request, complaint, LETTER)
        serializer = LetterDraftInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        letter = letter_draft(complaint=complaint, actor=request.user, **serializer.validated_data)
        return Response(LetterSerializer(letter).data, status=status.HTTP_201_CREATED)


class LetterView(ApiView):
    @extend_schema(
        operation_id="complaints_letter_retrieve", tags=["answers"], parameters=[NUMBER_PARAMETER, LETTER_PARAMETER],
        responses={200: LetterSerializer, **errors(401, 404, object_in_path=True)},
        description=gettext_lazy("One letter as it stands."),
    )
    def get(self, request, number: str, letter_id: str):
        return Response(LetterSerializer(letter_of(card(request, number), letter_id)).data)

    @extend_schema(
        operation_id="complaints_letter_update", tags=["answers"], parameters=[NUMBER_PARAMETER, LETTER_PARAMETER],
        request=LetterUpdateInputSerializer,
        responses={200: LetterSerializer, **errors(400, 401, 403, 404, 409, 415, object_in_path=True)},
        description=gettext_lazy("Edit the letter before it is sent; the fields left out keep their values."),
    )
    def patch(self, request, number: str, letter_id: str):
        complaint = card(request, number)
        writer(request, complaint, LETTER)
        letter = letter_of(complaint, letter_id)
        serializer = LetterUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = {
            "subject": letter.subject, "body": letter.body, "references": letter.references.all(),
            "enclosures": letter.enclosures.all(), "signed_by": letter.signed_by,
        } | serializer.validated_data
        letter = letter_update(letter=letter, actor=request.user, **fields)
        return Response(LetterSerializer(letter).data)


class LetterMissingView(ApiView):
    @extend_schema(
        operation_id="complaints_letter_missing", tags=["answers"], parameters=[NUMBER_PARAMETER, LETTER_PARAMETER],
        responses={200: ProblemSerializer(many=True), **errors(401, 404, object_in_path=True)},
        description=gettext_lazy(
            "What stops the letter from being sent, as sending it would list it: the elements it lacks (the "
            "company, the addresses, the essence of the complaint, the compensation, the reasons with references, "
            "the enclosures) and a compensation waiting for approval, each with where it is put right "
            "(overridable false: the letter is not sent while any is listed); and the tone check's findings "
            "(overridable true: a reason to send it anyway is enough)."),
    )
    def get(self, request, number: str, letter_id: str):
        problems = letter_problems(letter_of(card(request, number), letter_id))
        return Response(ProblemSerializer(problems, many=True).data)


class LegalReferencesView(ApiView):
    @extend_schema(
        operation_id="letter_references_list", tags=["answers"],
        responses={200: LegalReferenceSerializer(many=True), **errors(401)},
        description=gettext_lazy(
            "The legal and contractual references administrators keep, in use now: a letter cites them by ID "
            "(PATCH …/letters/{letter_id}/, references), and a refusal needs at least one."),
    )
    def get(self, request):
        return Response(LegalReferenceSerializer(LegalReference.objects.filter(is_active=True), many=True).data)


class LetterTemplatesView(ApiView):
    @extend_schema(
        operation_id="letter_templates_list", tags=["answers"],
        responses={200: LetterTemplateSerializer(many=True), **errors(401)},
        description=gettext_lazy(
            "The letter templates in use, per outcome and language, as administrators keep them: a letter is "
            "drafted from one by ID (POST …/letters/, template), else from its outcome's in its language."),
    )
    def get(self, request):
        return Response(LetterTemplateSerializer(LetterTemplate.objects.filter(is_active=True), many=True).data)
