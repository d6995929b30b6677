"""A nonconformity's actions through the API: plan, report, cancel, reschedule, complete the plan,
the evidence of a check and the check itself; and a card's measure promoted to an action."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from amends.capa import actions as services
from amends.capa.access import access_manage, can_manage
from amends.capa.effectiveness import check_is_early, effectiveness_record
from amends.capa.evidence import evidence_for
from amends.capa.models import Action, Nonconformity
from amends.capa.promotion import measure_promote, plannable_records
from amends.complaints.access import NONCONFORMITY

from ..schema import IDEMPOTENT_WRITE_PARAMETER, MEASURE_PARAMETER, NUMBER_PARAMETER, errors, id_parameter
from ..serializers.capa_actions import (
    ActionCancelSerializer,
    ActionPlanSerializer,
    ActionReportSerializer,
    ActionRescheduleSerializer,
    ActionSerializer,
    CheckInputSerializer,
    CheckSerializer,
    EvidenceSerializer,
    PromoteInputSerializer,
)
from ..serializers.capa_records import NonconformitySerializer
from .base import ApiView, card, idempotent, writer
from .capa_records import RECORD_PARAMETER, RECORD_WRITE_ERRORS, TAGS, record_of, record_shown, user_of
from .measures import measure_of

ACTION_PARAMETER = id_parameter("action_id", gettext_lazy("The action's ID, as the record lists it."))
ACTION_ERRORS = errors(400, 401, 403, 404, 409, 415, object_in_path=True)


def action_of(request, record: str, action_id: str) -> Action:
    nonconformity = record_of(request, record)
    action = Action.objects.select_related("nonconformity", "owner").filter(
        nonconformity=nonconformity, pk=int(action_id),
    ).first()
    if action is None:
        raise NotFound(_("No such action on this nonconformity."))
    return action


def _shown(action: Action) -> dict:
    action = Action.objects.select_related("owner").prefetch_related("checks__checked_by").get(pk=action.pk)
    return ActionSerializer(action).data


class ActionsView(ApiView):
    @extend_schema(
        operation_id="capa_actions_plan", tags=TAGS, parameters=[RECORD_PARAMETER, IDEMPOTENT_WRITE_PARAMETER],
        request=ActionPlanSerializer, responses={201: ActionSerializer, **errors(400, 401, 403, 404, 409, 415, 422)},
        description=gettext_lazy(
            "Plan a corrective or preventive action: the owner or the head of the QMS, while the record is open, "
            "analysed or being planned. A due date in the past, or a check not after it, is refused (400)."),
    )
    def post(self, request, record: str):
        nonconformity = record_of(request, record)
        access_manage(user_of(request), nonconformity)

        def plan() -> tuple[int, dict]:
            serializer = ActionPlanSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            action = services.action_plan(actor=request.user, nonconformity=nonconformity,
                                          **serializer.validated_data)
            return status.HTTP_201_CREATED, _shown(action)

        return idempotent(request, plan)


class PlanCompleteView(ApiView):
    @extend_schema(
        operation_id="capa_actions_plan_complete", tags=TAGS, parameters=[RECORD_PARAMETER], request=None,
        responses={200: NonconformitySerializer, **RECORD_WRITE_ERRORS},
        description=gettext_lazy("The plan is complete (analysed → actions planned): it needs one action."),
    )
    def post(self, request, record: str):
        nonconformity = record_of(request, record)
        services.plan_complete(actor=user_of(request), nonconformity=nonconformity)
        return Response(record_shown(request, nonconformity))


class ActionReportView(ApiView):
    @extend_schema(
        operation_id="capa_actions_report", tags=TAGS, parameters=[RECORD_PARAMETER, ACTION_PARAMETER],
        request=ActionReportSerializer, responses={200: ActionSerializer, **ACTION_ERRORS},
        description=gettext_lazy("Report on an action, done or not yet: its owner, or the record's manager. "
                                 "When every action is done the record takes “actions done” itself."),
    )
    def post(self, request, record: str, action_id: str):
        action = action_of(request, record, action_id)
        user = user_of(request)
        if action.owner_id != user.pk and not can_manage(user, action.nonconformity):
            raise PermissionDenied(_("Only the owner of the action or of the nonconformity reports on it."))
        serializer = ActionReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(_shown(services.action_report(actor=user, action=action, **serializer.validated_data)))


def _managed_write(request, record: str, action_id: str, serializer_class, service) -> Response:
    action = action_of(request, record, action_id)
    access_manage(user_of(request), action.nonconformity)
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return Response(_shown(service(actor=request.user, action=action, **serializer.validated_data)))


class ActionCancelView(ApiView):
    @extend_schema(
        operation_id="capa_actions_cancel", tags=TAGS, parameters=[RECORD_PARAMETER, ACTION_PARAMETER],
        request=ActionCancelSerializer, responses={200: ActionSerializer, **ACTION_ERRORS},
        description=gettext_lazy("Cancel an action still to be done, with the reason: the record's manager."),
    )
    def post(self, request, record: str, action_id: str):
        return _managed_write(request, record, action_id, ActionCancelSerializer, services.action_cancel)


class ActionRescheduleView(ApiView):
    @extend_schema(
        operation_id="capa_actions_reschedule", tags=TAGS, parameters=[RECORD_PARAMETER, ACTION_PARAMETER],
        request=ActionRescheduleSerializer, responses={200: ActionSerializer, **ACTION_ERRORS},
        description=gettext_lazy("A new due date (and check date) for an action still to be done."),
    )
    def post(self, request, record: str, action_id: str):
        return _managed_write(request, record, action_id, ActionRescheduleSerializer, services.action_reschedule)


class EvidenceView(ApiView):
    @extend_schema(
        operation_id="capa_actions_evidence", tags=TAGS, parameters=[RECORD_PARAMETER, ACTION_PARAMETER],
        responses={200: EvidenceSerializer, **errors(400, 401, 404, object_in_path=True)},
        description=gettext_lazy(
            "What the effectiveness check would show now: for each thing the record concerns (cause, product, "
            "component, supplier), the complaints counted since the action was done against the same length of "
            "time before. An action not done yet has none (400)."),
    )
    def get(self, request, record: str, action_id: str):
        action = action_of(request, record, action_id)
        evidence = evidence_for(action)
        return Response(EvidenceSerializer({
            "before_from": evidence.before_from, "done_at": evidence.done_at, "until": evidence.until,
            "dimensions": evidence.dimensions, "early": check_is_early(action),
        }).data)


class CheckView(ApiView):
    @extend_schema(
        operation_id="capa_actions_check", tags=TAGS, parameters=[RECORD_PARAMETER, ACTION_PARAMETER],
        request=CheckInputSerializer, responses={201: CheckSerializer, **ACTION_ERRORS},
        description=gettext_lazy(
            "Record the effectiveness check with the evidence: the record's manager, once the action is done "
            "(before, 400). Not effective reopens the record and plans the action again; every action "
            "effective: the record is “effectiveness checked”."),
    )
    def post(self, request, record: str, action_id: str):
        action = action_of(request, record, action_id)
        access_manage(user_of(request), action.nonconformity)
        serializer = CheckInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        check = effectiveness_record(actor=request.user, action=action, **serializer.validated_data)
        return Response(CheckSerializer(check).data, status=status.HTTP_201_CREATED)


class MeasurePromoteView(ApiView):
    @extend_schema(
        operation_id="complaints_measure_promote", tags=TAGS,
        parameters=[NUMBER_PARAMETER, MEASURE_PARAMETER], request=PromoteInputSerializer,
        responses={201: ActionSerializer, **errors(400, 401, 403, 404, 409, 415, object_in_path=True)},
        description=gettext_lazy(
            "Promote the card's measure to a corrective action: of a nonconformity still taking actions, or of "
            "a new one opened from it. The card's rule for linking it (its responsible person or the head of "
            "the QMS); a measure is promoted once (400)."),
    )
    def post(self, request, number: str, measure_id: str):
        complaint = card(request, number)
        writer(request, complaint, NONCONFORMITY)
        measure = measure_of(complaint, measure_id)
        serializer = PromoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        target: Nonconformity | None = None
        if data.pop("nonconformity"):
            target = plannable_records().filter(number=serializer.validated_data["nonconformity"]).first()
            if target is None:
                raise ValidationError({"nonconformity": _("No nonconformity of this number takes actions.")})
        action = measure_promote(actor=request.user, measure=measure, nonconformity=target, **data)
        return Response(_shown(action), status=status.HTTP_201_CREATED)
