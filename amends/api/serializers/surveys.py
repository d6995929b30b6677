"""The surveys: questionnaires with their versions and criteria, campaigns with their counts, responses
with the seeds' table (weight and k per criterion), K and the norms of a period and segment, and the
input of a response typed in. Scoring and recording stay in amends.surveys; these only check the shape
of the input, name what is wrong with it, and shape values."""

from datetime import date
from fractions import Fraction

from django.conf import settings
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from amends.complaints.choices import LEAVING_NORM, NOT_RECOMMENDING_NORM
from amends.complaints.converters import NUMBER_PATTERN
from amends.complaints.inputs import TEXT_MAX_LENGTH
from amends.complaints.models import Complaint
from amends.customers.models import Contact, OrganisationKind, Product
from amends.surveys.choices import (
    STAFF_SOURCES,
    Band,
    CampaignKind,
    CampaignState,
    InvitationState,
    NotSentReason,
    ResponseSource,
)
from amends.surveys.models import Invitation, QuestionnaireVersion, Response
from amends.surveys.scoring import (
    IMPORTANCES,
    SCORES,
    Rating,
    RatingError,
    band,
    below,
    parts,
    ratings_check,
    rounded,
)

from .complaints import EARLIEST
from .fields import StrictBooleanField, StrictCharField, StrictIntegerField, StrictPrimaryKeyRelatedField
from .refs import RefSerializer, UserRefSerializer

STAFF_SOURCE_CHOICES = [(source.value, source.label) for source in STAFF_SOURCES]


def mean_k_field(**kwargs) -> serializers.DecimalField:
    """Two places, for a mean K and the threshold as the pages show them; one response's K keeps four."""
    return serializers.DecimalField(max_digits=6, decimal_places=2, **kwargs)


class CriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.SlugField(help_text=gettext_lazy("The same criterion across versions, e.g. reliability."))
    name = serializers.CharField(source="localized_name")
    question = serializers.CharField(source="localized_question")
    order = serializers.IntegerField()


class VersionItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    published_at = serializers.DateTimeField(allow_null=True, help_text=gettext_lazy("Null: a draft."))


class VersionSerializer(VersionItemSerializer):
    intro = serializers.CharField(source="localized_intro")
    published_by = UserRefSerializer(allow_null=True)
    criteria = CriterionSerializer(many=True)


class QuestionnaireItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="localized_name")
    is_active = serializers.BooleanField()
    current_version = serializers.SerializerMethodField(help_text=gettext_lazy(
        "The latest published version, the one new campaigns send; null before the first is published."))
    versions = VersionItemSerializer(many=True)

    def get_current_version(self, questionnaire) -> int | None:
        published = [version.pk for version in questionnaire.versions.all() if version.published_at is not None]
        return published[0] if published else None  # the versions come newest first


class QuestionnaireSerializer(QuestionnaireItemSerializer):
    versions = VersionSerializer(many=True)


class VersionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    questionnaire = RefSerializer()
    number = serializers.IntegerField()


class NormSerializer(serializers.Serializer):
    norm = serializers.IntegerField(help_text=gettext_lazy("At most this per cent of those who answered."))
    answered = serializers.IntegerField(help_text=gettext_lazy("Responses that answered the question."))
    count = serializers.IntegerField(help_text=gettext_lazy("Of them, those who said no."))
    share = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True, help_text=gettext_lazy(
        "Per cent, one place; null when nobody answered."))
    breached = serializers.BooleanField(help_text=gettext_lazy("The share is above the norm (compared exactly)."))


class KFiguresSerializer(serializers.Serializer):
    """A group's K and loyalty (selectors.KSummary)."""

    responses = serializers.IntegerField()
    k = mean_k_field(allow_null=True, help_text=gettext_lazy(
        "The mean K of the responses, two places; null without responses."))
    k_below_threshold = serializers.BooleanField(help_text=gettext_lazy("The mean K is below the threshold."))
    below_threshold = serializers.IntegerField(help_text=gettext_lazy("Responses whose K is below the threshold."))
    not_recommending = NormSerializer(help_text=gettext_lazy("Would not recommend us: the norm is 2 in 10."))
    leaving = NormSerializer(help_text=gettext_lazy("Will not keep working with us: the norm is 3 in 10."))


def k_figures(summary, threshold) -> dict:
    """The KSummary as KFiguresSerializer shows it, with the norms and whether each is breached."""
    return {
        "responses": summary.responses, "k": summary.k, "below_threshold": summary.below_threshold,
        "k_below_threshold": summary.k is not None and below(summary.k, threshold),
        "not_recommending": {
            "norm": NOT_RECOMMENDING_NORM, "answered": summary.asked_recommend, "count": summary.not_recommending,
            "share": summary.not_recommending_share, "breached": summary.recommending_norm_breached,
        },
        "leaving": {
            "norm": LEAVING_NORM, "answered": summary.asked_continue, "count": summary.leaving,
            "share": summary.leaving_share, "breached": summary.leaving_norm_breached,
        },
    }


def counts_serializer(name: str, choices: type[TextChoices]) -> type[serializers.Serializer]:
    """One count per choice, every choice present (0 when none)."""
    fields = {value: serializers.IntegerField(help_text=label) for value, label in choices.choices}
    return type(name, (serializers.Serializer,), fields)


InvitationCountsSerializer = counts_serializer("InvitationCountsSerializer", InvitationState)
NotSentCountsSerializer = counts_serializer("NotSentCountsSerializer", NotSentReason)


class CampaignFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CampaignKind.choices, required=False)
    state = serializers.ChoiceField(choices=CampaignState.choices, required=False)


class CampaignItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")
    kind = serializers.ChoiceField(choices=CampaignKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    state = serializers.ChoiceField(choices=CampaignState.choices)
    state_label = serializers.CharField(source="get_state_display")
    period = serializers.CharField(help_text=gettext_lazy("E.g. 2026-H1, 2026-Q3, 2026-12; empty for a chosen one."))
    version = VersionRefSerializer()
    created_by = UserRefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    invitations = serializers.IntegerField(source="invitation_count")
    answered = serializers.IntegerField(source="answered_count")


class CampaignSerializer(CampaignItemSerializer):
    by_state = InvitationCountsSerializer(help_text=gettext_lazy("Invitations by state."))
    not_sent = NotSentCountsSerializer(help_text=gettext_lazy("Invitations not sent, by reason."))
    figures = KFiguresSerializer(help_text=gettext_lazy("K and the loyalty answers of its responses so far."))


class SegmentSerializer(serializers.Serializer):
    """The segment counted; null: any."""

    organisation_kind = serializers.ChoiceField(choices=OrganisationKind.choices, allow_null=True)
    region = serializers.CharField(allow_null=True)
    product = RefSerializer(allow_null=True)


class PeriodSegmentQuerySerializer(serializers.Serializer):
    """A period of days (company time zone, both included) and a segment of the customers."""

    start = serializers.DateField(required=False, help_text=gettext_lazy(
        "The first day counted; absent: the first day of the end's quarter."))
    end = serializers.DateField(required=False, help_text=gettext_lazy("The last day counted; absent: today."))
    organisation_kind = serializers.ChoiceField(choices=OrganisationKind.choices, required=False)
    region = serializers.CharField(max_length=100, required=False, help_text=gettext_lazy(
        "The region, exactly as on the customer's organisation (else on the customer)."))
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), required=False, help_text=gettext_lazy(
        "Product ID: the product of the card the survey followed."))

    def validate(self, attrs):
        end = attrs.setdefault("end", timezone.localdate())
        start = attrs.setdefault("start", quarter_start(end))
        if start > end:
            raise serializers.ValidationError({"end": _("The period ends before it starts.")})
        return attrs


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


class KSerializer(KFiguresSerializer):
    start = serializers.DateField()
    end = serializers.DateField()
    segment = SegmentSerializer()
    threshold = mean_k_field(help_text=gettext_lazy(
        "A response with K below it opens a follow-up (the survey settings; the seeds: 8)."))
    min_answers = serializers.IntegerField(help_text=gettext_lazy(
        "Answers before the norms are checked: with fewer the shares are shown, not alerted."))
    enough_answers = serializers.BooleanField()
    message = serializers.CharField(allow_null=True, help_text=gettext_lazy("Why there is nothing to show, if so."))


class ResponseFilterSerializer(PeriodSegmentQuerySerializer):
    start = serializers.DateField(required=False, help_text=gettext_lazy("The first day answered."))
    end = serializers.DateField(required=False, help_text=gettext_lazy("The last day answered."))
    # A declared field: the metaclass takes it off the class, so Field's own attribute stays.
    source = serializers.ChoiceField(choices=ResponseSource.choices, required=False)  # type: ignore[assignment]
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False, help_text=gettext_lazy(
        "The customer's ID."))
    campaign = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, help_text=gettext_lazy(
        "The campaign's ID."))
    below_threshold = serializers.BooleanField(required=False, help_text=gettext_lazy(
        "true: only K below the threshold; false: only K at or above it."))
    recommends = serializers.BooleanField(required=False, help_text=gettext_lazy(
        "true or false: only those who answered so."))

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if start is not None and end is not None and start > end:
            raise serializers.ValidationError({"end": _("The period ends before it starts.")})
        return attrs


class ResponseItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contact = RefSerializer()
    complaint = serializers.CharField(source="complaint.number", allow_null=True, default=None, help_text=gettext_lazy(
        "The number of the card the survey followed."))
    version = VersionRefSerializer()
    campaign = serializers.IntegerField(source="invitation.campaign_id", allow_null=True, default=None)
    invitation = serializers.IntegerField(source="invitation_id", allow_null=True)
    source = serializers.ChoiceField(choices=ResponseSource.choices)  # type: ignore[assignment]
    source_label = serializers.CharField(source="get_source_display")
    language = serializers.ChoiceField(choices=settings.LANGUAGES)
    received_at = serializers.DateTimeField()
    entered_by = UserRefSerializer(allow_null=True, help_text=gettext_lazy("Who typed it in; null: the link."))
    k = serializers.DecimalField(max_digits=6, decimal_places=4, help_text=gettext_lazy(
        "K = Σ score × importance / Σ importance, four places."))
    band = serializers.ChoiceField(choices=Band.choices, source="k_band")
    below_threshold = serializers.BooleanField(source="k_below", help_text=gettext_lazy(
        "K is below the threshold, compared exactly."))
    recommends = serializers.BooleanField(allow_null=True, help_text=gettext_lazy("Null: not answered."))
    continues = serializers.BooleanField(allow_null=True, help_text=gettext_lazy("Null: not answered."))
    suggestion = serializers.CharField()
    organisation_kind = serializers.CharField(help_text=gettext_lazy("The customer's segment when they answered."))
    region = serializers.CharField()
    product = RefSerializer(allow_null=True)


class PartSerializer(serializers.Serializer):
    """One line of the seeds' table."""

    criterion = CriterionSerializer()
    score = serializers.IntegerField()
    importance = serializers.IntegerField()
    score_band = serializers.ChoiceField(choices=Band.choices)
    importance_band = serializers.ChoiceField(choices=Band.choices)
    weight = serializers.DecimalField(max_digits=8, decimal_places=4, help_text=gettext_lazy(
        "importance / Σ importance × 100, per cent, four places."))
    k = serializers.DecimalField(max_digits=6, decimal_places=4, help_text=gettext_lazy(
        "score × weight / 100, four places; the k of the response add up to its K."))


class ResponseSerializer(ResponseItemSerializer):
    weighted_sum = serializers.IntegerField(help_text=gettext_lazy("Σ score × importance: K is its ratio to "
                                                                   "importance_sum, exactly."))
    importance_sum = serializers.IntegerField()
    parts = PartSerializer(many=True)


def response_shown(response: Response, threshold) -> Response:
    """The response with what its serializers read: its K's band and place against the threshold."""
    exact = Fraction(response.weighted_sum, response.importance_sum)
    response.k_band = band(exact)  # type: ignore[attr-defined]
    response.k_below = below(exact, threshold)  # type: ignore[attr-defined]
    return response


def response_parts(response: Response) -> list[dict]:
    """The seeds' table of the response, from scoring.parts, in the criteria's order."""
    answers = list(response.answers.all())
    table = parts([Rating(answer.score, answer.importance) for answer in answers])
    return [
        {"criterion": answer.criterion, "score": answer.score, "importance": answer.importance,
         "score_band": band(answer.score), "importance_band": band(answer.importance),
         "weight": rounded(part.weight), "k": rounded(part.k)}
        for answer, part in zip(answers, table, strict=True)
    ]


class RatingInputSerializer(serializers.Serializer):
    criterion = StrictIntegerField(min_value=1, max_value=2**63 - 1, help_text=gettext_lazy(
        "The criterion's ID, of the version answered."))
    score = StrictIntegerField(min_value=SCORES[0], max_value=SCORES[-1], error_messages=dict.fromkeys(
        ("min_value", "max_value"), gettext_lazy("A score is from 1 to 10.")))
    importance = StrictIntegerField(
        min_value=IMPORTANCES[0], max_value=IMPORTANCES[-1],
        help_text=gettext_lazy("0: does not matter to the customer (no weight)."),
        error_messages=dict.fromkeys(("min_value", "max_value"), gettext_lazy("An importance is from 0 to 10.")))


class ResponseCreateSerializer(serializers.Serializer):
    """A questionnaire answered on paper, by fax, by phone or by e-mail, typed in by staff."""

    invitation = StrictPrimaryKeyRelatedField(
        queryset=Invitation.objects.select_related("campaign", "contact"), required=False, allow_null=True,
        default=None, help_text=gettext_lazy(
            "The invitation answered, if any: its customer and version are then the answer's, and it takes "
            "one answer."))
    contact = StrictPrimaryKeyRelatedField(
        queryset=Contact.objects.select_related("organisation"), required=False, allow_null=True, default=None,
        help_text=gettext_lazy("The customer's ID; required without an invitation."))
    version = StrictPrimaryKeyRelatedField(
        queryset=QuestionnaireVersion.objects.all(), required=False, allow_null=True, default=None,
        help_text=gettext_lazy("The questionnaire version answered, published; required without an invitation."))
    complaint = serializers.RegexField(
        f"^{NUMBER_PATTERN}$", max_length=20, required=False, allow_null=True, default=None,
        help_text=gettext_lazy("The number of the customer's card the survey followed, if any."))
    # A declared field: the metaclass takes it off the class, so Field's own attribute stays.
    source = serializers.ChoiceField(choices=STAFF_SOURCE_CHOICES)  # type: ignore[assignment]
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None, help_text=gettext_lazy(
        "When the customer answered; absent: now."))
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False, allow_null=True, default=None,
                                       help_text=gettext_lazy("The questionnaire's language; absent: the "
                                                              "invitation's, else the default."))
    ratings = RatingInputSerializer(  # type: ignore[call-arg]  # the list's max_length: REST framework 3.14+
        many=True, allow_empty=False, max_length=100,
        help_text=gettext_lazy("One per criterion rated; a criterion left out was left blank."))
    recommends = StrictBooleanField(required=False, allow_null=True, default=None, help_text=gettext_lazy(
        "Would recommend us; null: not answered."))
    continues = StrictBooleanField(required=False, allow_null=True, default=None, help_text=gettext_lazy(
        "Will keep working with us; null: not answered."))
    suggestion = StrictCharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")

    def validate_received_at(self, value):
        if value is not None and not (EARLIEST <= value <= timezone.now()):
            raise serializers.ValidationError(_("Give the moment the customer answered: not in the future."))
        return value

    def validate(self, attrs):
        invitation = attrs["invitation"]
        if invitation is not None:
            if attrs["contact"] is not None and attrs["contact"].pk != invitation.contact_id:
                raise serializers.ValidationError({"contact": _("The invitation was sent to another customer.")})
            if attrs["version"] is not None and attrs["version"].pk != invitation.campaign.version_id:
                raise serializers.ValidationError({"version": _("The invitation sent another version.")})
            attrs["contact"], attrs["version"] = invitation.contact, invitation.campaign.version
            attrs["language"] = attrs["language"] or invitation.language
        errors = {}
        if attrs["contact"] is None:
            errors["contact"] = _("Say whose answers these are.")
        elif attrs["contact"].erased_at is not None:
            errors["contact"] = _("This customer's personal data was erased: no answers are recorded for them.")
        if attrs["version"] is None:
            errors["version"] = _("Say which questionnaire version was answered.")
        elif attrs["version"].published_at is None:
            errors["version"] = _("This version is a draft: answers are given on published versions.")
        if errors:
            raise serializers.ValidationError(errors)
        attrs["ratings"] = self._ratings(attrs["version"], attrs["ratings"])
        attrs["complaint"] = self._complaint(attrs["contact"], attrs["complaint"])
        attrs["language"] = attrs["language"] or settings.LANGUAGE_CODE
        return attrs

    def _ratings(self, version: QuestionnaireVersion, items: list[dict]) -> dict[int, Rating]:
        criteria = set(version.criteria.values_list("pk", flat=True))
        ratings: dict[int, Rating] = {}
        for item in items:
            if item["criterion"] not in criteria:
                raise serializers.ValidationError({"ratings": _(
                    "Criterion %(id)s is not in this questionnaire version.") % {"id": item["criterion"]}})
            if item["criterion"] in ratings:
                raise serializers.ValidationError({"ratings": _(
                    "Criterion %(id)s is rated twice.") % {"id": item["criterion"]}})
            ratings[item["criterion"]] = Rating(item["score"], item["importance"])
        try:
            ratings_check(list(ratings.values()))
        except RatingError as error:
            raise serializers.ValidationError({"ratings": str(error)}) from error
        return ratings

    def _complaint(self, contact: Contact, number: str | None) -> Complaint | None:
        if number is None:
            return None
        complaint = Complaint.objects.filter(number=number, contact=contact).first()
        if complaint is None:
            raise serializers.ValidationError({"complaint": _(
                "The customer has no complaint %(number)s.") % {"number": number}})
        return complaint

