"""A card's letters to the customer: drafted from a template, edited, checked for required elements."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from amends.accounts.models import User
from amends.answers.choices import Outcome
from amends.answers.models import LegalReference, LetterTemplate
from amends.complaints.inputs import TEXT_MAX_LENGTH
from amends.complaints.models import Attachment

from .fields import StrictCharField, StrictPrimaryKeyRelatedField
from .refs import UserRefSerializer


class LetterDraftInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, required=False,
        help_text=_("Default: from the complaint's justification (justified: satisfied, partly justified: "
                    "partly satisfied, unjustified: refused)."),
    )
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, required=False,
        help_text=_("Default: the customer's language, else the company's."),
    )
    template = StrictPrimaryKeyRelatedField(
        queryset=LetterTemplate.objects.filter(is_active=True), required=False,
        help_text=_("A template's ID; default: the outcome's active template in the language."),
    )


class LetterUpdateInputSerializer(serializers.Serializer):
    """Each field left out keeps its value."""

    subject = StrictCharField(max_length=300, required=False)
    body = StrictCharField(max_length=TEXT_MAX_LENGTH, required=False)
    references = serializers.ListField(
        child=StrictPrimaryKeyRelatedField(queryset=LegalReference.objects.all()), required=False,
        help_text=_("IDs of legal or contractual references the letter cites."),
    )
    enclosures = serializers.ListField(
        child=StrictPrimaryKeyRelatedField(queryset=Attachment.objects.all()), required=False,
        help_text=_("IDs of the complaint's files enclosed with the letter."),
    )
    signed_by = StrictPrimaryKeyRelatedField(queryset=User.objects.all(), allow_null=True, required=False)


class ProblemSerializer(serializers.Serializer):
    """What stops a letter from being sent (answers.checks.Problem)."""

    code = serializers.CharField(help_text=_("e.g. missing:references, compensation:pending, tone"))
    message = serializers.CharField()
    url = serializers.CharField(help_text=_("Where it is put right (a page of the web interface)."))
    overridable = serializers.BooleanField(help_text=_("A reason to send anyway is enough."))


class ReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class EnclosureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")


class LetterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    language = serializers.ChoiceField(choices=settings.LANGUAGES)
    template = serializers.IntegerField(source="template_id", allow_null=True)
    subject = serializers.CharField()
    body = serializers.CharField()
    references = ReferenceSerializer(many=True, source="references.all")
    enclosures = EnclosureSerializer(many=True, source="enclosures.all")
    signed_by = UserRefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)


class LegalReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text=_("law, contract or other"))
    language = serializers.CharField(help_text=_("The language of the letters it is offered to; empty: any."))
    title = serializers.CharField(help_text=_("How a letter cites it: the letter's text must name it."))
    text = serializers.CharField()


class LetterTemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    language = serializers.CharField()
    name = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
