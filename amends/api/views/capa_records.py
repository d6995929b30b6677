"""Nonconformities through the API: the register, opening one, the record, its owner, steps, cards,
root cause, timeline and PDF; each through capa's services, so the rules are the pages' own."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from amends.accounts.models import User
from amends.answers.views.documents import PDF
from amends.capa import nonconformities as services
from amends.capa import root_cause
from amends.capa.access import access_manage, access_process_owner, can_see_nonconformities
from amends.capa.converters import RECORD_NUMBER_PATTERN
from amends.capa.deadlines import record_deadlines
from amends.capa.documents import nonconformity_pdf
from amends.capa.lifecycle import CLOSE
from amends.capa.models import Action, EffectivenessCheck, FishboneCause, Nonconformity, NonconformityComplaint
from amends.capa.record_page import record_for_request
from amends.capa.selectors import nonconformity_register
from amends.complaints import access as card_access
from amends.complaints.models import Complaint

from ..schema import IDEMPOTENT_WRITE_PARAMETER, errors, id_parameter
from ..serializers.capa_records import (
    AnalysisInputSerializer,
    AppointInputSerializer,
    FishboneAddSerializer,
    FishboneCauseSerializer,
    FishboneConfirmSerializer,
    LinkInputSerializer,
    NonconformityCreateSerializer,
    NonconformityFilterSerializer,
    NonconformityItemSerializer,
    NonconformitySerializer,
    NonconformityUpdateSerializer,
    RecordEventSerializer,
    StepInputSerializer,
    WhysInputSerializer,
)
from .answers_documents import NOT_MADE, _DocumentView
from .base import ApiView, idempotent

TAGS = ["nonconformities"]
RECORD_PARAMETER = OpenApiParameter(
    "record", {"type": "string", "pattern": f"^{RECORD_NUMBER_PATTERN}$"}, OpenApiParameter.PATH,
    description=gettext_lazy("The nonconformity's number, e.g. NC-2026-0001."),
)
CAUSE_PARAMETER = id_parameter("cause_id", gettext_lazy("The fishbone cause's ID, as the record lists it."))
CARD_PARAMETER = OpenApiParameter(
    "card", {"type": "string"}, OpenApiParameter.PATH, description=gettext_lazy("The card number, e.g. 2026-000123."),
)


def user_of(request) -> User:
    user = request.user
    assert isinstance(user, User)  # IsAuthenticated, the API's permission, lets no anonymous user here
    return user


def record_of(request, number: str) -> Nonconformity:
    """The record as this user may see it; one they may not see is as absent as an unknown one."""
    try:
        return record_for_request(request, number)
    except Http404:
        raise NotFound(_("No such nonconformity")) from None


LINKS = NonconformityComplaint.objects.select_related("complaint").order_by("complaint__number")


def record_shown(request, record: Nonconformity) -> dict:
    """The whole record, read in a fixed number of queries whatever its size."""
    record = Nonconformity.objects.select_related(
        "owner", "opened_by", "product", "component", "supplier", "department", "cause",
    ).prefetch_related(
        Prefetch("links", queryset=LINKS),
        "whys", "fishbone",
        Prefetch("actions", queryset=Action.objects.select_related("owner").prefetch_related(
            Prefetch("checks", queryset=EffectivenessCheck.objects.select_related("checked_by")))),
    ).get(pk=record.pk)
    record.deadlines = record_deadlines(record)  # type: ignore[attr-defined]
    return NonconformitySerializer(record, context={"request": request}).data


def visible_cards(request) -> QuerySet[Complaint]:
    return Complaint.objects.filter(card_access.relations_filter(request.user))


def cards_of(request, numbers: list[str]) -> list[Complaint]:
    """The cards of these numbers among those the user sees; any other refuses them all (400)."""
    found = {card.number: card for card in visible_cards(request).filter(number__in=numbers)}
    missing = [number for number in numbers if number not in found]
    if missing:
        raise ValidationError({"complaints": _("No complaint with the number %(numbers)s.")
                                        % {"numbers": ", ".join(missing)}})
    return [found[number] for number in dict.fromkeys(numbers)]


class NonconformitiesView(ApiView, generics.ListAPIView):
    serializer_class = NonconformityItemSerializer

    def get_queryset(self):
        user = user_of(self.request)
        if not can_see_nonconformities(user):
            raise PermissionDenied(_("The nonconformities are seen by those who oversee quality and their owners."))
        filters = NonconformityFilterSerializer(data=self.request.query_params.dict())
        filters.is_valid(raise_exception=True)
        return nonconformity_register(user, **filters.validated_data).order_by("-opened_at", "-pk")

    @extend_schema(
        operation_id="capa_nonconformities_list", tags=TAGS, parameters=[NonconformityFilterSerializer],
        responses={200: NonconformityItemSerializer(many=True), **errors(400, 401, 403, 404)},
        description=gettext_lazy("The register as on its page: those who oversee quality see every "
                                 "nonconformity, others those they own or own an action of; newest first, "
                                 "50 a page."),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="capa_nonconformities_create", tags=TAGS, parameters=[IDEMPOTENT_WRITE_PARAMETER],
        request=NonconformityCreateSerializer,
        responses={201: NonconformitySerializer, **errors(400, 401, 403, 415, 422)},
        description=gettext_lazy("Open a nonconformity: the head of the QMS."),
    )
    def post(self, request, *args, **kwargs):
        access_process_owner(user_of(request))  # refused before the body is read

        def open_one() -> tuple[int, dict]:
            serializer = NonconformityCreateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            cards = cards_of(request, data.pop("complaints"))
            record = services.nonconformity_open(actor=request.user, complaints=cards, **data)
            return status.HTTP_201_CREATED, record_shown(request, record)

        return idempotent(request, open_one)


class NonconformityView(ApiView):
    @extend_schema(
        operation_id="capa_nonconformities_retrieve", tags=TAGS, parameters=[RECORD_PARAMETER],
        responses={200: NonconformitySerializer, **errors(401, 404)},
        description=gettext_lazy("The record: concerns, owner, linked complaints, root cause (5 Whys, fishbone), "
                                 "actions with their checks, deadlines."),
    )
    def get(self, request, record: str):
        return Response(record_shown(request, record_of(request, record)))

    @extend_schema(
        operation_id="capa_nonconformities_update", tags=TAGS, parameters=[RECORD_PARAMETER],
        request=NonconformityUpdateSerializer,
        responses={200: NonconformitySerializer, **errors(400, 401, 403, 404, 409, 415)},
        description=gettext_lazy("Change the title, description, kind or concerns: the owner or the head of "
                                 "the QMS; a closed record is reopened first (409)."),
    )
    def patch(self, request, record: str):
        nonconformity = record_of(request, record)
        access_manage(user_of(request), nonconformity)
        serializer = NonconformityUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.nonconformity_update(actor=request.user, nonconformity=nonconformity, **serializer.validated_data)
        return Response(record_shown(request, nonconformity))


def _write(request, record: str, serializer_class, write, *, process_owner: bool = False):
    """Read the record (404), check the role before the body (403: its manager, or the head of the
    QMS), validate it (400), call one service and answer the whole record."""
    nonconformity = record_of(request, record)
    if process_owner:
        access_process_owner(user_of(request))
    else:
        access_manage(user_of(request), nonconformity)
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    write(nonconformity, **serializer.validated_data)
    return Response(record_shown(request, nonconformity))


RECORD_WRITE_ERRORS = errors(400, 401, 403, 404, 409, 415)


class AppointView(ApiView):
    @extend_schema(
        operation_id="capa_nonconformities_appoint", tags=TAGS, parameters=[RECORD_PARAMETER],
        request=AppointInputSerializer, responses={200: NonconformitySerializer, **RECORD_WRITE_ERRORS},
        description=gettext_lazy("Appoint the owner: the head of the QMS."),
    )
    def post(self, request, record: str):
        return _write(request, record, AppointInputSerializer, lambda nc, owner: services.nonconformity_appoint(
            actor=request.user, nonconformity=nc, owner=owner), process_owner=True)


class StepView(ApiView):
    @extend_schema(
        operation_id="capa_nonconformities_step", tags=TAGS, parameters=[RECORD_PARAMETER],
        request=StepInputSerializer, responses={200: NonconformitySerializer, **RECORD_WRITE_ERRORS},
        description=gettext_lazy(
            "close: the head of the QMS, once the effectiveness is checked; reopen: the owner or the head of the "
            "QMS, with the reason. A step the state does not allow is 409. The other steps are taken by the "
            "analysis, the plan and the checks."),
    )
    def post(self, request, record: str):
        nonconformity = record_of(request, record)
        serializer = StepInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actor = user_of(request)
        if serializer.validated_data["step"] == CLOSE:
            services.nonconformity_close(actor=actor, nonconformity=nonconformity)
        else:
            services.nonconformity_reopen(actor=actor, nonconformity=nonconformity,
                                          reason=serializer.validated_data["reason"])
        return Response(record_shown(request, nonconformity))


class LinksView(ApiView):
    @extend_schema(
        operation_id="capa_nonconformities_link", tags=TAGS, parameters=[RECORD_PARAMETER],
        request=LinkInputSerializer, responses={200: NonconformitySerializer, **RECORD_WRITE_ERRORS},
        description=gettext_lazy(
            "Link complaints by number: the record's manager, and each card's own rule for linking it (its "
            "responsible person or the head of the QMS). A duplicate or withdrawn complaint is refused (400)."),
    )
    def post(self, request, record: str):
        return _write(request, record, LinkInputSerializer, lambda nc, complaints: services.nonconformity_link(
            actor=request.user, nonconformity=nc, complaints=cards_of(request, complaints)))


class UnlinkView(ApiView):
    @extend_schema(
        operation_id="capa_nonconformities_unlink", tags=TAGS, parameters=[RECORD_PARAMETER, CARD_PARAMETER],
        request=None, responses={200: NonconformitySerializer, **errors(401, 403, 404, object_in_path=True)},
        description=gettext_lazy("Unlink a complaint: the card's rule for linking it."),
    )
    def delete(self, request, record: str, card: str):
        nonconformity = record_of(request, record)
        complaint = visible_cards(request).filter(number=card, nonconformity_links__nonconformity=nonconformity).first()
        if complaint is None:
            raise NotFound(_("No such complaint."))
        card_access.access_writer(request.user, complaint, card_access.NONCONFORMITY)
        services.nonconformity_unlink(actor=user_of(request), nonconformity=nonconformity, complaint=complaint)
        return Response(record_shown(request, nonconformity))


class WhysView(ApiView):
    @extend_schema(
        operation_id="capa_nonconformities_whys", tags=TAGS, parameters=[RECORD_PARAMETER],
        request=WhysInputSerializer, responses={200: NonconformitySerializer, **RECORD_WRITE_ERRORS},
        description=gettext_lazy("Replace the 5 Whys chain (at most 7 steps): the owner or the head of the QMS."),
    )
    def put(self, request, record: str):
        return _write(request, record, WhysInputSerializer, lambda nc, steps: root_cause.whys_save(
            actor=request.user, nonconformity=nc, steps=[(step["why"], step["because"]) for step in steps]))


def cause_of(nonconformity: Nonconformity, cause_id: str) -> FishboneCause:
    cause = nonconformity.fishbone.select_related("nonconformity").filter(pk=int(cause_id)).first()
    if cause is None:
        raise NotFound(_("No such cause on this nonconformity."))
    return cause


class FishboneView(ApiView):
    @extend_schema(
        operation_id="capa_fishbone_add", tags=TAGS, parameters=[RECORD_PARAMETER], request=FishboneAddSerializer,
        responses={201: FishboneCauseSerializer, **RECORD_WRITE_ERRORS},
        description=gettext_lazy("Put a cause on one of the six bones (6M): the owner or the head of the QMS."),
    )
    def post(self, request, record: str):
        nonconformity = record_of(request, record)
        access_manage(user_of(request), nonconformity)
        serializer = FishboneAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cause = root_cause.fishbone_add(actor=request.user, nonconformity=nonconformity, **serializer.validated_data)
        return Response(FishboneCauseSerializer(cause).data, status=status.HTTP_201_CREATED)


class FishboneCauseView(ApiView):
    @extend_schema(
        operation_id="capa_fishbone_remove", tags=TAGS, parameters=[RECORD_PARAMETER, CAUSE_PARAMETER],
        request=None, responses={204: None, **errors(400, 401, 403, 404, object_in_path=True)},
    )
    def delete(self, request, record: str, cause_id: str):
        nonconformity = record_of(request, record)
        access_manage(user_of(request), nonconformity)
        root_cause.fishbone_remove(actor=request.user, cause=cause_of(nonconformity, cause_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class FishboneConfirmView(ApiView):
    @extend_schema(
        operation_id="capa_fishbone_confirm", tags=TAGS, parameters=[RECORD_PARAMETER, CAUSE_PARAMETER],
        request=FishboneConfirmSerializer,
        responses={200: FishboneCauseSerializer, **errors(400, 401, 403, 404, 415, object_in_path=True)},
        description=gettext_lazy("Mark a cause as a confirmed root cause, or take the mark away."),
    )
    def post(self, request, record: str, cause_id: str):
        nonconformity = record_of(request, record)
        access_manage(user_of(request), nonconformity)
        cause = cause_of(nonconformity, cause_id)
        serializer = FishboneConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cause = root_cause.fishbone_confirm(actor=request.user, cause=cause, **serializer.validated_data)
        return Response(FishboneCauseSerializer(cause).data)


class AnalysisView(ApiView):
    @extend_schema(
        operation_id="capa_nonconformities_analysis", tags=TAGS, parameters=[RECORD_PARAMETER],
        request=AnalysisInputSerializer, responses={200: NonconformitySerializer, **RECORD_WRITE_ERRORS},
        description=gettext_lazy("State the root cause and take the step open → analysed; it needs at least one "
                                 "why or fishbone cause."),
    )
    def post(self, request, record: str):
        return _write(request, record, AnalysisInputSerializer, lambda nc, **data: root_cause.analysis_complete(
            actor=request.user, nonconformity=nc, **data))


class RecordTimelineView(ApiView):
    @extend_schema(
        operation_id="capa_nonconformities_timeline", tags=TAGS, parameters=[RECORD_PARAMETER],
        responses={200: RecordEventSerializer(many=True), **errors(401, 404)},
        description=gettext_lazy("The record's own timeline, oldest first, worded in the request's language."),
    )
    def get(self, request, record: str):
        events = record_of(request, record).events.select_related("actor").order_by("at", "pk")
        return Response(RecordEventSerializer(events, many=True).data)


class RecordPdfView(_DocumentView):
    @extend_schema(
        operation_id="capa_nonconformities_pdf", tags=TAGS, parameters=[RECORD_PARAMETER],
        responses={(200, PDF): OpenApiTypes.BINARY, **errors(401, 404), **NOT_MADE},
        description=gettext_lazy("The record's print layout as a PDF."),
    )
    def get(self, request, record: str):
        nonconformity = record_of(request, record)
        return self.made(lambda: nonconformity_pdf(nonconformity), PDF, f"{nonconformity.number}.pdf")


