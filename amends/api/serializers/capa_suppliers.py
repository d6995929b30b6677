"""Supplier figures (the norms of a period, the suppliers table, a scorecard) and the proposals."""

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from amends.capa.choices import NonconformityState, NormSubject, PeriodKind, ProposalKind, ProposalStatus
from amends.capa.models import Proposal
from amends.capa.periods import Period, period_of
from amends.capa.proposals import proposal_finding, proposal_title
from amends.capa.scorecard import DEFAULT_SORT, SORTS, Standing

from .answers_compensation import money
from .capa_records import owner_field
from .fields import StrictCharField
from .refs import RefSerializer, UserRefSerializer


class PeriodQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PeriodKind.choices, required=False, default=PeriodKind.YEAR)
    start = serializers.DateField(required=False, allow_null=True, default=None, help_text=gettext_lazy(
        "The period's first day; absent: the current period."))

    def validate(self, attrs):
        start = attrs.get("start")
        if start is not None and period_of(attrs["kind"], start).start != start:
            raise serializers.ValidationError({"start": _("Give the first day of a period of this kind.")})
        return attrs

    def period(self, now_day: date) -> Period:
        data = self.validated_data
        return period_of(data["kind"], data["start"] or now_day)


class PeriodSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PeriodKind.choices)
    start = serializers.DateField()
    end = serializers.DateField(help_text=gettext_lazy("The first day after the period."))
    # A declared field: the metaclass takes it off the class, so Field's own attribute stays.
    label = serializers.CharField()  # type: ignore[assignment]


class NormRowSerializer(serializers.Serializer):
    subject = serializers.ChoiceField(choices=NormSubject.choices)
    subject_label = serializers.CharField()
    supplier = RefSerializer(allow_null=True)
    count = serializers.IntegerField(help_text=gettext_lazy(
        "Justified and partly justified complaints; duplicates and withdrawn ones never count."))
    norm = serializers.IntegerField()
    exceeded = serializers.BooleanField()
    reached = serializers.BooleanField(help_text=gettext_lazy("At the norm: one more breaks it."))


class NormStatusSerializer(serializers.Serializer):
    period = PeriodSerializer()
    rows = NormRowSerializer(many=True)


SORT_CHOICES = [f"{sign}{name}" for name in SORTS for sign in ("", "-")]


class SuppliersQuerySerializer(PeriodQuerySerializer):
    sort = serializers.ChoiceField(choices=SORT_CHOICES, required=False, default=DEFAULT_SORT)
    status = serializers.ChoiceField(choices=Standing.CHOICES, required=False, default="")
    with_open = serializers.BooleanField(required=False, default=False, help_text=gettext_lazy(
        "Only suppliers with an open nonconformity."))


class SupplierRowSerializer(serializers.Serializer):
    supplier = RefSerializer()
    complaints = serializers.IntegerField()
    counted = serializers.IntegerField(help_text=gettext_lazy("Counted in the norm."))
    norm = serializers.IntegerField()
    standing = serializers.ChoiceField(choices=Standing.CHOICES)
    standing_label = serializers.CharField()
    justified_share = serializers.FloatField(allow_null=True, help_text=gettext_lazy(
        "Per cent of the judged complaints found justified or partly; null without any."))
    open_nonconformities = serializers.IntegerField()
    open_actions = serializers.IntegerField()
    compensation = money()


class SuppliersTableSerializer(serializers.Serializer):
    period = PeriodSerializer()
    rows = SupplierRowSerializer(many=True)


class TallySerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]
    complaints = serializers.IntegerField()
    counted = serializers.IntegerField()


class HistoryPointSerializer(serializers.Serializer):
    period = PeriodSerializer()
    count = serializers.IntegerField()
    norm = serializers.IntegerField()
    standing = serializers.ChoiceField(choices=Standing.CHOICES)


class ScorecardActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    owner = UserRefSerializer()
    due_date = serializers.DateField()
    status = serializers.CharField()


class ScorecardRecordSerializer(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    state = serializers.ChoiceField(choices=NonconformityState.choices)
    owner = UserRefSerializer(allow_null=True)
    actions = ScorecardActionSerializer(many=True, source="actions_shown")


class ScorecardGrantSerializer(serializers.Serializer):
    complaint = serializers.CharField(source="complaint.number")
    option = RefSerializer()
    value = money()
    status = serializers.CharField()
    granted_at = serializers.DateTimeField()


class ScorecardSerializer(serializers.Serializer):
    supplier = RefSerializer(help_text=gettext_lazy("A merged supplier's figures are those of the one it "
                                                    "was merged into, named here."))
    period = PeriodSerializer()
    row = SupplierRowSerializer()
    by_component = TallySerializer(many=True)
    by_cause = TallySerializer(many=True)
    history = HistoryPointSerializer(many=True)
    nonconformities = ScorecardRecordSerializer(many=True)
    grants = ScorecardGrantSerializer(many=True)


class ProposalQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ProposalStatus.choices, required=False, default="")


class ProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ProposalKind.choices)
    status = serializers.ChoiceField(choices=ProposalStatus.choices)
    finding = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField(help_text=gettext_lazy("The title offered for the nonconformity."))
    supplier = RefSerializer(allow_null=True)
    product = RefSerializer(allow_null=True)
    cause = RefSerializer(allow_null=True)
    complaints = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    decided_by = UserRefSerializer(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    nonconformity = serializers.CharField(source="nonconformity.number", allow_null=True, default=None)

    def get_finding(self, proposal: Proposal) -> str:
        return proposal_finding(proposal)

    def get_title(self, proposal: Proposal) -> str:
        return proposal_title(proposal)

    def get_complaints(self, proposal: Proposal) -> list[str]:
        return [card.number for card in proposal.complaints.all()]


class ProposalAcceptSerializer(serializers.Serializer):
    title = StrictCharField(max_length=300, required=False, allow_blank=True, default="",
                            help_text=gettext_lazy("Empty: the title offered."))
    owner = owner_field(required=False, allow_null=True, default=None)


class ProposalDismissSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=2000)
