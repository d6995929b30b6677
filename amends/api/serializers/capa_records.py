"""Nonconformities: the register's filters and rows, the record with its root cause, actions and
deadlines, and the inputs of its services. The rules stay in capa's services; these only read and
shape values."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from amends.accounts.models import Department, User
from amends.capa.access import can_manage
from amends.capa.choices import Category6M, NonconformityKind, NonconformityState, RecordEventKind, Source
from amends.capa.forms.records import owner_choices
from amends.capa.lifecycle import CLOSE, REOPEN, allowed_steps
from amends.capa.models import Nonconformity
from amends.capa.root_cause import MAX_WHY_LENGTH
from amends.complaints.converters import NUMBER_PATTERN
from amends.complaints.inputs import TEXT_MAX_LENGTH
from amends.complaints.models import Cause
from amends.customers.models import Component, Product, Supplier
from amends.deadlines.choices import ClockStatus

from .capa_actions import ActionSerializer
from .fields import StrictBooleanField, StrictCharField, StrictPrimaryKeyRelatedField
from .refs import RefSerializer, UserRefSerializer


def owner_field(**kwargs) -> StrictPrimaryKeyRelatedField:
    """An owner as the record's forms offer one: an active responsible person or head of the QMS."""
    return StrictPrimaryKeyRelatedField(
        queryset=owner_choices(), help_text=_("User ID: a responsible person or the head of the QMS."), **kwargs,
    )


class CardNumbersField(serializers.ListField):
    child = serializers.RegexField(f"^{NUMBER_PATTERN}$", max_length=20)


class NonconformityFilterSerializer(serializers.Serializer):
    """The register's filters, as on its page."""

    q = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                              help_text=_("Search in the number and the title."))
    state = serializers.ChoiceField(choices=NonconformityState.choices, required=False, default="")
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True,
                                               default=None, help_text=_("User ID of the owner."))
    supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.all(), required=False,
                                                  allow_null=True, default=None)
    # A declared field: the metaclass takes it off the class, so Field's own attribute stays.
    source = serializers.ChoiceField(choices=Source.choices, required=False, default="")  # type: ignore[assignment]
    kind = serializers.ChoiceField(choices=NonconformityKind.choices, required=False, default="")
    mine = serializers.BooleanField(required=False, default=False,
                                    help_text=_("Only those you own or own an action of."))


class RecordHeadSerializer(serializers.Serializer):
    """What the register and the record both show."""

    number = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=NonconformityKind.choices)
    state = serializers.ChoiceField(choices=NonconformityState.choices)
    state_label = serializers.CharField(source="get_state_display")
    source = serializers.ChoiceField(choices=Source.choices)  # type: ignore[assignment]
    owner = UserRefSerializer(allow_null=True)
    supplier = RefSerializer(allow_null=True)
    product = RefSerializer(allow_null=True)
    opened_at = serializers.DateTimeField()
    analysis_due = serializers.DateField(allow_null=True)
    plan_due = serializers.DateField(allow_null=True)


class NonconformityItemSerializer(RecordHeadSerializer):
    complaints_count = serializers.IntegerField()


class WhySerializer(serializers.Serializer):
    why = StrictCharField(max_length=MAX_WHY_LENGTH, allow_blank=True)
    because = StrictCharField(max_length=MAX_WHY_LENGTH, allow_blank=True)


class FishboneCauseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.ChoiceField(choices=Category6M.choices)
    text = serializers.CharField()
    is_root = serializers.BooleanField()


class DeadlineSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]
    due_at = serializers.DateTimeField()
    day = serializers.DateField(allow_null=True, help_text=_("Due by the end of this day."))
    status = serializers.ChoiceField(choices=ClockStatus.choices)
    status_label = serializers.CharField()


class NonconformitySerializer(RecordHeadSerializer):
    description = serializers.CharField()
    version = serializers.IntegerField()
    reopened = serializers.IntegerField(help_text=_("Times reopened."))
    opened_by = UserRefSerializer(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    component = RefSerializer(allow_null=True)
    department = RefSerializer(allow_null=True)
    process = serializers.CharField()
    cause = RefSerializer(allow_null=True)
    complaints = serializers.SerializerMethodField(help_text=_("Numbers of the linked complaints."))
    root_cause = serializers.CharField()
    whys = WhySerializer(many=True, source="whys.all")
    fishbone = FishboneCauseSerializer(many=True, source="fishbone.all")
    actions = ActionSerializer(many=True, source="actions.all")
    deadlines = DeadlineSerializer(many=True)
    steps = serializers.SerializerMethodField(help_text=_(
        "The steps you may take here now through …/steps/: close and reopen."))
    can_manage = serializers.SerializerMethodField(help_text=_(
        "Whether you analyse it and plan and check its actions (its owner, the head of the QMS)."))

    def get_complaints(self, record: Nonconformity) -> list[str]:
        return [link.complaint.number for link in record.links.all()]

    def get_steps(self, record: Nonconformity) -> list[str]:
        return [step for step in allowed_steps(record.state) if step in (CLOSE, REOPEN)]

    def get_can_manage(self, record: Nonconformity) -> bool:
        return can_manage(self.context["request"].user, record)


class ConcernsInputSerializer(serializers.Serializer):
    """What a record concerns; each may be null."""

    product = StrictPrimaryKeyRelatedField(queryset=Product.objects.all(), required=False, allow_null=True)
    component = StrictPrimaryKeyRelatedField(queryset=Component.objects.all(), required=False, allow_null=True)
    supplier = StrictPrimaryKeyRelatedField(queryset=Supplier.objects.filter(merged_into__isnull=True),
                                            required=False, allow_null=True)
    department = StrictPrimaryKeyRelatedField(queryset=Department.objects.all(), required=False, allow_null=True)
    process = StrictCharField(max_length=200, required=False, allow_blank=True)
    cause = StrictPrimaryKeyRelatedField(queryset=Cause.objects.all(), required=False, allow_null=True)


class NonconformityUpdateSerializer(ConcernsInputSerializer):
    title = StrictCharField(max_length=300, required=False)
    description = StrictCharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=NonconformityKind.choices, required=False)


class NonconformityCreateSerializer(NonconformityUpdateSerializer):
    title = StrictCharField(max_length=300)
    owner = owner_field(required=False, allow_null=True, default=None)
    complaints = CardNumbersField(required=False, default=list, help_text=_(
        "Numbers of complaints to link; duplicates and withdrawn complaints are refused."))


class AppointInputSerializer(serializers.Serializer):
    owner = owner_field()


class StepInputSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=[CLOSE, REOPEN])
    reason = StrictCharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True, default="",
                             help_text=_("Why it is reopened: required to reopen."))


class LinkInputSerializer(serializers.Serializer):
    complaints = CardNumbersField(allow_empty=False)


class WhysInputSerializer(serializers.Serializer):
    steps = WhySerializer(many=True, help_text=_(
        "The whole chain, replacing the one kept; pairs left empty are dropped."))


class FishboneAddSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category6M.choices)
    text = StrictCharField(max_length=TEXT_MAX_LENGTH)
    is_root = StrictBooleanField(required=False, default=False)


class FishboneConfirmSerializer(serializers.Serializer):
    is_root = StrictBooleanField()


class AnalysisInputSerializer(serializers.Serializer):
    root_cause = StrictCharField(max_length=TEXT_MAX_LENGTH)


class RecordEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RecordEventKind.choices)
    code = serializers.CharField()
    at = serializers.DateTimeField()
    actor = UserRefSerializer(allow_null=True, help_text=_("Null: the system."))
    text = serializers.CharField(source="text_display", help_text=_("In the request's language."))
