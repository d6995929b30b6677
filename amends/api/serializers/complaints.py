"""The complaint collection: registration and its answer, the list's filter and rows, the whole card."""

from datetime import UTC, datetime, timedelta
from typing import cast

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from amends.complaints.access import can_see_tracking_link
from amends.complaints.choices import Channel, ClaimDemand, Importance, Origin, RequestType, State
from amends.complaints.inputs import MAX_INT, TEXT_MAX_LENGTH
from amends.complaints.list_page import SORTS
from amends.complaints.models import Category, Complaint, request_type_errors
from amends.complaints.selectors import ComplaintFilter
from amends.complaints.transitions import TRANSITIONS, available_transitions
from amends.customers.models import Product
from amends.deadlines.choices import ClockKind, ClockStatus
from amends.deadlines.selectors import clock_deadline
from amends.intake.models import InboundMessage
from amends.intake.outbound import tracking_url

from .customers import CustomerInputSerializer, CustomerSerializer
from .fields import SharedFieldsMixin, StrictCharField, StrictPrimaryKeyRelatedField
from .measures import MeasureSerializer
from .refs import RefSerializer, UserRefSerializer

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


class ComplaintCreateSerializer(SharedFieldsMixin, serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    text = StrictCharField(max_length=TEXT_MAX_LENGTH, help_text=_("The complaint in the customer's words."))
    customer = CustomerInputSerializer(
        required=False, allow_null=True,
        help_text=_("Required except for internal complaints; matched by e-mail or phone."),
    )
    received_at = serializers.DateTimeField(required=False, allow_null=True)
    product = StrictPrimaryKeyRelatedField(
        queryset=Product.objects.filter(is_active=True), required=False, allow_null=True,
    )
    category = StrictPrimaryKeyRelatedField(
        queryset=Category.objects.filter(is_active=True), required=False, allow_null=True,
    )
    importance = serializers.ChoiceField(choices=Importance.choices, required=False)
    request_type = serializers.ChoiceField(
        choices=RequestType.choices, required=False, default=RequestType.COMPLAINT,
        help_text=_("Objections and other requests are left out of complaint statistics. A phone or "
                    "in-person complaint becomes a claim only when its written confirmation is recorded."),
    )
    claim_demand = serializers.ChoiceField(
        choices=ClaimDemand.choices, required=False, allow_blank=True, default="",
        help_text=_("What a claim demands; required for a claim, empty otherwise."),
    )
    order_reference = StrictCharField(max_length=100, required=False, allow_blank=True, default="")
    external_id = StrictCharField(
        max_length=200, required=False, allow_blank=True, default="",
        help_text=_("The complaint's ID in the sending system."),
    )

    def validate_received_at(self, value):
        if value is not None and not (EARLIEST <= value <= timezone.now() + timedelta(days=1)):
            raise serializers.ValidationError(_("The date is out of range."))
        return value

    def validate(self, data):
        if data["channel"] != Channel.INTERNAL and not data.get("customer"):
            raise serializers.ValidationError({"customer": _("Give the customer's name, e-mail or phone.")})
        errors = request_type_errors(
            request_type=data["request_type"], claim_demand=data["claim_demand"], channel=data["channel"],
        )
        if errors:
            raise serializers.ValidationError(errors)
        return data


class ComplaintFilterSerializer(serializers.Serializer):
    """The list's query parameters; they become a ComplaintFilter for the shared selector."""

    state = serializers.ChoiceField(choices=State.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    category = serializers.IntegerField(
        min_value=1, max_value=MAX_INT, required=False, help_text=_("Category ID; includes its subcategories."),
    )
    importance = serializers.ChoiceField(choices=Importance.choices, required=False)
    responsible = serializers.IntegerField(
        min_value=1, max_value=MAX_INT, required=False, help_text=_("User ID of the responsible person."),
    )
    received_from = serializers.DateField(required=False)
    received_to = serializers.DateField(required=False)
    overdue = serializers.BooleanField(required=False, default=False, help_text=_(
        "Only open cards with a measure not reported done by its due date (the card's own deadlines are not looked at)."
    ))
    q = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="",
        help_text=_(
            "Full-text search in the number, text, messages, customer, organisation, e-mail, phone and order "
            "reference: cards holding every word, in any of its forms; the best matches only. "
            "sort=relevance lists the best first."
        ),
    )
    sort = serializers.ChoiceField(choices=sorted(SORTS), required=False, default="-received")

    def to_filter(self) -> ComplaintFilter:
        return ComplaintFilter(**self.validated_data)


class ComplaintListItemSerializer(serializers.Serializer):
    """A row of the list: what the list selector loads in one query."""

    number = serializers.CharField()
    state = serializers.ChoiceField(choices=State.choices)
    state_label = serializers.CharField(source="get_state_display")
    version = serializers.IntegerField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    received_at = serializers.DateTimeField()
    importance = serializers.ChoiceField(choices=Importance.choices)
    text = serializers.CharField(source="wording")
    customer = CustomerSerializer(source="*")
    category = RefSerializer(allow_null=True)
    responsible = UserRefSerializer(allow_null=True)


class ComplaintCreatedSerializer(serializers.Serializer):
    """The answer to a registration: enough to find the card and to tell the customer, cheap to build."""

    number = serializers.CharField()
    state = serializers.ChoiceField(choices=State.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    received_at = serializers.DateTimeField()
    url = serializers.URLField(help_text=_("The card in the API."))
    tracking_url = serializers.URLField(help_text=_("The customer's private tracking page."))


_DATETIME = serializers.DateTimeField()


def created_body(request, submission: InboundMessage, received_at: datetime) -> dict:
    """ComplaintCreatedSerializer's data for an accepted submission, built directly: registration is
    the API's hot path. Its card is registered, with this number, by the time anyone asks for it."""
    return {
        "number": submission.number,
        "state": State.REGISTERED,
        "channel": submission.channel,
        "received_at": _DATETIME.to_representation(received_at),
        "url": request.build_absolute_uri(reverse("api:complaint", kwargs={"number": submission.number})),
        "tracking_url": tracking_url(submission, request),
    }


class ClockSerializer(serializers.Serializer):
    """One of the card's deadline clocks (deadlines.selectors.Deadline), as the card page shows it."""

    kind = serializers.ChoiceField(choices=ClockKind.choices, source="clock.kind")
    label = serializers.CharField()  # type: ignore[assignment]  # the field, not the serializer's label
    due_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=ClockStatus.choices)
    met_at = serializers.DateTimeField(source="clock.met_at", allow_null=True, help_text=_(
        "When it was met: for the answer, when the answer left (not when it was recorded)."))


class ComplaintSerializer(ComplaintListItemSerializer):
    """The whole card."""

    origin = serializers.ChoiceField(choices=Origin.choices)
    request_type = serializers.ChoiceField(choices=RequestType.choices)
    claim_demand = serializers.CharField(help_text=_("What a claim demands; empty for other request types."))
    written_confirmation_on = serializers.DateField(
        allow_null=True, help_text=_("The day the customer confirmed an oral complaint in writing."),
    )
    order_reference = serializers.CharField()
    external_id = serializers.CharField()
    product = RefSerializer(allow_null=True)
    cause = RefSerializer(allow_null=True)
    registered_by = UserRefSerializer(allow_null=True)
    justification = serializers.CharField()
    opinion = serializers.CharField()
    opinion_date = serializers.DateField(allow_null=True)
    actions_taken = serializers.CharField()
    answer_text = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    time_spent_minutes = serializers.IntegerField(allow_null=True)
    satisfaction = serializers.IntegerField(allow_null=True)
    loyalty = serializers.CharField()
    customer_unreachable = serializers.BooleanField()
    unreachable_note = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    message_after_answer_at = serializers.DateTimeField(allow_null=True, help_text=_(
        "When the customer wrote to the answered or closed card, while nobody has reopened it or "
        "kept it closed; null otherwise."))
    duplicate_of = serializers.CharField(source="duplicate_of.number", default=None, allow_null=True)
    tracking_url = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()
    measures = serializers.SerializerMethodField()
    clocks = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField(allow_null=True, help_text=_(
        "The customer's private tracking page, which lets its holder write as the customer: given "
        "only to those who talk to the customer (the head of the QMS, the responsible person, the "
        "registering operator or API client), null for everyone else.")))
    def get_tracking_url(self, complaint: Complaint) -> str | None:
        if not can_see_tracking_link(self.context["request"].user, complaint):
            return None
        return tracking_url(complaint, self.context["request"])

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=list(TRANSITIONS))))
    def get_available_transitions(self, complaint: Complaint) -> list[str]:
        """The transitions the requesting user may take now: the card's buttons in the UI."""
        return [t.name for t in available_transitions(self.context["request"].user, complaint)]

    @extend_schema_field(MeasureSerializer(many=True))
    def get_measures(self, complaint: Complaint) -> list[dict]:
        measures = complaint.measures.select_related("executor", "approved_by")
        # many=True makes a ListSerializer, whose data is a list; the stubs keep the class's ReturnDict.
        return cast(list[dict], MeasureSerializer(measures, many=True, context=self.context).data)

    @extend_schema_field(ClockSerializer(many=True))
    def get_clocks(self, complaint: Complaint) -> list[dict]:
        now = timezone.now()
        deadlines = sorted((clock_deadline(clock, now) for clock in complaint.clocks.all()), key=lambda d: d.due_at)
        return cast(list[dict], ClockSerializer(deadlines, many=True).data)
