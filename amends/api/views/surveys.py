"""The surveys through the API: questionnaires, campaigns, responses (read, and typed in through the one
recording), K and the norms of a period and segment. The access is the pages': those who oversee
quality read, the head of the QMS and administrators type answers in."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from amends.surveys.access import access_campaigns, access_surveys
from amends.surveys.choices import InvitationState, NotSentReason
from amends.surveys.models import Answer, Campaign, Invitation, Questionnaire, QuestionnaireVersion
from amends.surveys.models import Response as SurveyResponse
from amends.surveys.models.policy import policy
from amends.surveys.recording import LinkExpired, LinkUsed, response_record
from amends.surveys.selectors import Segment, k_summary, responses_in

from ..exceptions import Conflict
from ..schema import IDEMPOTENT_WRITE_PARAMETER, ErrorSerializer, errors, id_parameter
from ..serializers.surveys import (
    CampaignFilterSerializer,
    CampaignItemSerializer,
    CampaignSerializer,
    KSerializer,
    PeriodSegmentQuerySerializer,
    QuestionnaireItemSerializer,
    QuestionnaireSerializer,
    ResponseCreateSerializer,
    ResponseFilterSerializer,
    ResponseItemSerializer,
    ResponseSerializer,
    k_figures,
    response_parts,
    response_shown,
)
from .base import ApiView, idempotent
from .capa_records import user_of

TAGS = ["surveys"]
QUESTIONNAIRE_PARAMETER = id_parameter("questionnaire_id", gettext_lazy("The questionnaire's ID."))
CAMPAIGN_PARAMETER = id_parameter("campaign_id", gettext_lazy("The campaign's ID."))
RESPONSE_PARAMETER = id_parameter("response_id", gettext_lazy("The response's ID."))
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description=gettext_lazy("Nothing of this ID."))}
PAGE_NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description=gettext_lazy("No such page."))}


def _query(serializer_class, request) -> dict:
    # A plain dict, so that an empty value is refused like any invalid one, as the schema says.
    query = serializer_class(data=request.query_params.dict())
    query.is_valid(raise_exception=True)
    return query.validated_data


def _questionnaires() -> QuerySet[Questionnaire]:
    return Questionnaire.objects.prefetch_related(
        Prefetch("versions", queryset=QuestionnaireVersion.objects.order_by("-number")),
    ).order_by("name", "pk")


class QuestionnairesView(ApiView):
    @extend_schema(
        operation_id="surveys_questionnaires_list", tags=TAGS,
        responses={200: QuestionnaireItemSerializer(many=True), **errors(401, 403)},
        description=gettext_lazy("Every questionnaire with its versions, newest first: those who oversee quality."),
    )
    def get(self, request):
        access_surveys(user_of(request))
        return Response(QuestionnaireItemSerializer(_questionnaires(), many=True).data)


class QuestionnaireView(ApiView):
    @extend_schema(
        operation_id="surveys_questionnaires_retrieve", tags=TAGS, parameters=[QUESTIONNAIRE_PARAMETER],
        responses={200: QuestionnaireSerializer, **errors(401, 403), **NOT_FOUND},
        description=gettext_lazy("A questionnaire with each version's introduction and criteria, in your language."),
    )
    def get(self, request, questionnaire_id: str):
        access_surveys(user_of(request))
        questionnaire = get_object_or_404(_questionnaires().prefetch_related(
            "versions__published_by", "versions__criteria",
        ), pk=int(questionnaire_id))
        return Response(QuestionnaireSerializer(questionnaire).data)


def _campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("version__questionnaire", "created_by").annotate(
        invitation_count=Count("invitations", distinct=True),
        answered_count=Count("invitations", filter=Q(invitations__state=InvitationState.ANSWERED), distinct=True),
    )


class CampaignsView(ApiView, generics.ListAPIView):
    serializer_class = CampaignItemSerializer

    def get_queryset(self):
        access_surveys(user_of(self.request))
        return _campaigns().filter(**_query(CampaignFilterSerializer, self.request)).order_by("-created_at", "-pk")

    @extend_schema(
        operation_id="surveys_campaigns_list", tags=TAGS, parameters=[CampaignFilterSerializer],
        responses={200: CampaignItemSerializer(many=True), **errors(400, 401, 403), **PAGE_NOT_FOUND},
        description=gettext_lazy("The campaigns, newest first, 50 a page: those who oversee quality."),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _counts(invitations: QuerySet[Invitation], field: str, values: list[str]) -> dict[str, int]:
    found = dict(invitations.values_list(field).annotate(count=Count("pk")).order_by())
    return {value: found.get(value, 0) for value in values}


class CampaignView(ApiView):
    @extend_schema(
        operation_id="surveys_campaigns_retrieve", tags=TAGS, parameters=[CAMPAIGN_PARAMETER],
        responses={200: CampaignSerializer, **errors(401, 403), **NOT_FOUND},
        description=gettext_lazy("A campaign with its invitations counted by state and by why not sent, and K "
                                 "and the loyalty answers of its responses so far."),
    )
    def get(self, request, campaign_id: str):
        access_surveys(user_of(request))
        campaign = get_object_or_404(_campaigns(), pk=int(campaign_id))
        invitations = Invitation.objects.filter(campaign=campaign)
        campaign.by_state = _counts(invitations, "state", InvitationState.values)  # type: ignore[attr-defined]
        campaign.not_sent = _counts(  # type: ignore[attr-defined]
            invitations.filter(state=InvitationState.NOT_SENT), "not_sent_reason", NotSentReason.values,
        )
        threshold = policy().k_threshold
        summary = k_summary(SurveyResponse.objects.filter(invitation__campaign=campaign), threshold)
        campaign.figures = k_figures(summary, threshold)  # type: ignore[attr-defined]
        return Response(CampaignSerializer(campaign).data)


RESPONSE_RELATED = (
    "contact__organisation", "complaint", "version__questionnaire", "invitation", "entered_by", "product",
)


def _filtered(filters: dict) -> QuerySet[SurveyResponse]:
    segment = Segment(
        organisation_kind=filters.get("organisation_kind"), region=filters.get("region"),
        product_id=filters["product"].pk if filters.get("product") else None,
    )
    responses = responses_in(filters.get("start"), filters.get("end"), segment)
    threshold = policy().k_threshold
    if filters.get("source"):
        responses = responses.filter(source=filters["source"])
    if filters.get("contact"):
        responses = responses.filter(contact=filters["contact"])
    if filters.get("campaign"):
        responses = responses.filter(invitation__campaign_id=filters["campaign"])
    if filters.get("below_threshold") is not None:
        # K is stored to four places, exact enough to tell any K from the threshold (scoring.K_PLACES).
        low = Q(k__lt=threshold)
        responses = responses.filter(low if filters["below_threshold"] else ~low)
    if filters.get("recommends") is not None:
        responses = responses.filter(recommends=filters["recommends"])
    return responses


class ResponsesView(ApiView, generics.ListAPIView):
    serializer_class = ResponseItemSerializer

    def get_queryset(self):
        access_surveys(user_of(self.request))
        responses = _filtered(_query(ResponseFilterSerializer, self.request))
        return responses.select_related(*RESPONSE_RELATED).order_by("-received_at", "-pk")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        threshold = policy().k_threshold
        return [response_shown(response, threshold) for response in page] if page is not None else None

    @extend_schema(
        operation_id="surveys_responses_list", tags=TAGS, parameters=[ResponseFilterSerializer],
        responses={200: ResponseItemSerializer(many=True), **errors(400, 401, 403), **PAGE_NOT_FOUND},
        description=gettext_lazy("The survey responses, the latest answered first, 50 a page: those who oversee "
                                 "quality."),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="surveys_responses_create", tags=TAGS, parameters=[IDEMPOTENT_WRITE_PARAMETER],
        request=ResponseCreateSerializer,
        responses={
            201: ResponseSerializer,
            **errors(400, 401, 403, 413, 415, 422),
            409: OpenApiResponse(ErrorSerializer, description=gettext_lazy(
                "The invitation was answered already, or its link expired: nothing was stored.")),
        },
        description=gettext_lazy(
            "Type in a questionnaire answered on paper, by fax, by phone or by e-mail: the head of the QMS and "
            "administrators. K is computed as the seeds compute it; a score outside 1-10 or no importance at all "
            "is refused with the message."),
    )
    def post(self, request, *args, **kwargs):
        user = user_of(request)
        access_campaigns(user)  # refused before the body is read

        def record() -> tuple[int, dict]:
            serializer = ResponseCreateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            try:
                response = response_record(
                    version=data["version"], ratings=data["ratings"], source=data["source"],
                    language=data["language"], contact=data["contact"], invitation=data["invitation"],
                    complaint=data["complaint"], recommends=data["recommends"], continues=data["continues"],
                    suggestion=data["suggestion"], entered_by=user, received_at=data["received_at"],
                )
            except LinkUsed:
                raise Conflict(_("This invitation was answered already: nothing was stored."),
                               code="invitation_answered") from None
            except LinkExpired:
                raise Conflict(_("This invitation's link has expired: nothing was stored."),
                               code="invitation_expired") from None
            return status.HTTP_201_CREATED, response_body(response.pk)

        return idempotent(request, record)


def response_body(response_id: int) -> dict:
    response = get_object_or_404(SurveyResponse.objects.select_related(*RESPONSE_RELATED).prefetch_related(
        Prefetch("answers", queryset=Answer.objects.select_related("criterion").order_by("criterion__order", "pk")),
    ), pk=response_id)
    response.parts = response_parts(response)  # type: ignore[attr-defined]
    return ResponseSerializer(response_shown(response, policy().k_threshold)).data


class ResponseView(ApiView):
    @extend_schema(
        operation_id="surveys_responses_retrieve", tags=TAGS, parameters=[RESPONSE_PARAMETER],
        responses={200: ResponseSerializer, **errors(401, 403), **NOT_FOUND},
        description=gettext_lazy("A response with the seeds' table: each criterion's score, importance, weight "
                                 "(per cent) and k, which add up to its K."),
    )
    def get(self, request, response_id: str):
        access_surveys(user_of(request))
        return Response(response_body(int(response_id)))


class KView(ApiView):
    @extend_schema(
        operation_id="surveys_k", tags=TAGS, parameters=[PeriodSegmentQuerySerializer],
        responses={200: KSerializer, **errors(400, 401, 403)},
        description=gettext_lazy(
            "K (the mean of the responses' K) and the shares refusing to recommend us and to keep working with "
            "us against the norms (2 and 3 in 10), for the days from start to end and the segment: those who "
            "oversee quality."),
    )
    def get(self, request):
        access_surveys(user_of(request))
        query = _query(PeriodSegmentQuerySerializer, request)
        survey_policy = policy()
        summary = k_summary(_filtered(query), survey_policy.k_threshold)
        body = k_figures(summary, survey_policy.k_threshold) | {
            "start": query["start"], "end": query["end"], "threshold": survey_policy.k_threshold,
            "segment": {name: query.get(name) for name in ("organisation_kind", "region", "product")},
            "min_answers": survey_policy.norm_min_responses,
            "enough_answers": summary.responses >= survey_policy.norm_min_responses,
            "message": None if summary.responses else _("No answers in this period and segment."),
        }
        return Response(KSerializer(body).data)
