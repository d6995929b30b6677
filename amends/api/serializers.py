"""What the API accepts and returns. Input serializers only parse and check shapes (ids to
instances, choices, lengths); the rules of the process stay in the services they feed."""

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import cast

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer

from amends.accounts.models import User
from amends.accounts.services import user_totp_confirmed, user_totp_verify
from amends.complaints.access import can_report_measure, can_see_tracking_link
from amends.complaints.choices import Channel, EventKind, Importance, Origin, State
from amends.complaints.inputs import BOOL, CHOICE, INT, MAX_INT, MODEL, TEXT, TEXT_MAX_LENGTH, Input
from amends.complaints.list_page import SORTS
from amends.complaints.models import Category, Complaint, Measure
from amends.complaints.selectors import ComplaintFilter
from amends.complaints.transitions import TRANSITIONS, available_transitions, transition_inputs
from amends.customers.models import Product
from amends.intake.models import InboundMessage
from amends.intake.outbound import tracking_url

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


# ---------------------------------------------------------------- JSON fields
# REST framework coerces 5 to "5", "5" to 5 and "yes" to True. A JSON body here must have the types
# the schema gives; query parameters, always strings, use the ordinary fields.


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


# ---------------------------------------------------------------- input


class SharedFieldsMixin:
    """REST framework deep-copies every declared field for each serializer instance, which costs
    more than the rest of a registration's validation. These serializers never change a field per
    instance, so each instance gets shallow copies: binding sets attributes on the copy only, and the
    choices, validators and querysets they share are only read. Nested serializers are still copied
    whole."""

    _declared_fields: dict[str, serializers.Field]  # set on the class by the serializer's metaclass

    def get_fields(self):
        return {
            name: copy.deepcopy(field) if isinstance(field, serializers.BaseSerializer) else copy.copy(field)
            for name, field in self._declared_fields.items()
        }


class CustomerInputSerializer(SharedFieldsMixin, serializers.Serializer):
    name = StrictCharField(max_length=300, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    phone = StrictCharField(max_length=50, required=False, allow_blank=True, default="")
    organisation = StrictCharField(max_length=300, required=False, allow_blank=True, default="")

    def validate(self, data):
        if not (data["name"] or data["email"] or data["phone"]):
            raise serializers.ValidationError(_("Give the customer's name, e-mail or phone."))
        return data


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
    overdue = serializers.BooleanField(required=False, default=False)
    q = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="",
        help_text=_("Search in the number, text, customer, e-mail, phone and order reference."),
    )
    sort = serializers.ChoiceField(choices=sorted(SORTS), required=False, default="-received")

    def to_filter(self) -> ComplaintFilter:
        return ComplaintFilter(**self.validated_data)


def _choice_field(spec: Input) -> serializers.Field:
    assert spec.choices is not None  # Input insists on them for a CHOICE
    return serializers.ChoiceField(choices=spec.choices.choices, required=False)


def _model_field(spec: Input) -> serializers.Field:
    assert spec.queryset is not None  # Input insists on it for a MODEL
    return StrictPrimaryKeyRelatedField(queryset=spec.queryset(), required=False, allow_null=not spec.required)


# The API's field for each kind of transition input (the web form's are in complaints/forms.py).
# None is required here: the step itself says what is missing, with its own messages.
INPUT_FIELDS: dict[str, Callable[[Input], serializers.Field]] = {
    CHOICE: _choice_field,
    MODEL: _model_field,
    TEXT: lambda spec: StrictCharField(required=False, allow_blank=True, max_length=spec.max_length),
    INT: lambda spec: StrictIntegerField(
        min_value=spec.min_value, max_value=spec.max_value, required=False, allow_null=not spec.required,
    ),
    BOOL: lambda spec: StrictBooleanField(required=False),
}


class TransitionInputSerializer(serializers.Serializer):
    """One lifecycle step; which data fields a step reads is in amends.complaints.transitions."""

    comment = StrictCharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")
    version = StrictIntegerField(
        min_value=1, max_value=MAX_INT, required=False, allow_null=True,
        help_text=_("The card's version you read; a different current version gives 409."),
    )

    def get_fields(self):
        # Built from the table each time, so that the fields always follow it.
        transition = serializers.ChoiceField(choices=[(t.name, t.label) for t in TRANSITIONS.values()])
        inputs = {name: INPUT_FIELDS[spec.kind](spec) for name, spec in transition_inputs().items()}
        return {"transition": transition, **super().get_fields(), **inputs}

    def transition_data(self) -> dict:
        """The fields this transition asks for, as the UI's form would pass them."""
        names = [spec.name for spec in TRANSITIONS[self.validated_data["transition"]].inputs]
        return {name: self.validated_data[name] for name in names if name in self.validated_data}


class MeasureInputSerializer(serializers.Serializer):
    description = StrictCharField(max_length=TEXT_MAX_LENGTH, help_text=_("What is to be done."))
    executor = StrictPrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        help_text=_("User ID of the executor: an executor, a responsible person or the head of the QMS."),
    )
    due_date = serializers.DateField()


class MeasureReportInputSerializer(serializers.Serializer):
    report = StrictCharField(max_length=TEXT_MAX_LENGTH, help_text=_("What was done."))


class NoteInputSerializer(serializers.Serializer):
    text = StrictCharField(max_length=TEXT_MAX_LENGTH)


class AttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField(max_length=255)


class TokenInputSerializer(AuthTokenSerializer):
    """The username and password of an active user."""

    # REST framework's login check, without its read-only `token` field in the request.
    username = StrictCharField(max_length=150, write_only=True)
    password = StrictCharField(
        max_length=4096, trim_whitespace=False, write_only=True, style={"input_type": "password"},
    )
    otp_token = StrictCharField(
        max_length=8, required=False, write_only=True,
        help_text=_("The code from the authenticator app; required for a user with two-factor authentication on."),
    )
    # REST framework drops a field a subclass declares None; the stubs do not know that.
    token = None  # type: ignore[assignment]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        user = attrs["user"]
        # Two-factor on means the password alone opens nothing, the API included.
        if user_totp_confirmed(user=user) and not user_totp_verify(user=user, token=attrs.get("otp_token", "")):
            raise serializers.ValidationError(
                {"otp_token": [_("The code from the authenticator app is missing or wrong.")]}, code="authorization",
            )
        return attrs


# ---------------------------------------------------------------- output


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class RefSerializer(serializers.Serializer):
    """A reference-data item (category, cause, product) by ID and name in the user's language."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="__str__")


class CustomerSerializer(serializers.Serializer):
    name = serializers.CharField(source="contact.full_name", default="")
    email = serializers.CharField(source="contact.email", default="")
    phone = serializers.CharField(source="contact.phone", default="")
    organisation = serializers.CharField(source="organisation.name", default="")


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


class MeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    executor = UserRefSerializer()
    due_date = serializers.DateField()
    approved_by = UserRefSerializer(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    report = serializers.CharField()
    done_at = serializers.DateTimeField(allow_null=True)
    can_report = serializers.SerializerMethodField()

    def get_can_report(self, measure: Measure) -> bool:
        """Whether the requesting user may report on it now: the card's "Report" button in the UI."""
        return can_report_measure(self.context["request"].user, measure)


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
        "tracking_url": tracking_url(submission),
    }


class ComplaintSerializer(ComplaintListItemSerializer):
    """The whole card."""

    origin = serializers.ChoiceField(choices=Origin.choices)
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
    duplicate_of = serializers.CharField(source="duplicate_of.number", default=None, allow_null=True)
    tracking_url = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()
    measures = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField(allow_null=True, help_text=_(
        "The customer's private tracking page, which lets its holder write as the customer: given "
        "only to those who talk to the customer (the head of the QMS, the responsible person, the "
        "registering operator or API client), null for everyone else.")))
    def get_tracking_url(self, complaint: Complaint) -> str | None:
        if not can_see_tracking_link(self.context["request"].user, complaint):
            return None
        return tracking_url(complaint)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=list(TRANSITIONS))))
    def get_available_transitions(self, complaint: Complaint) -> list[str]:
        """The transitions the requesting user may take now: the card's buttons in the UI."""
        return [t.name for t in available_transitions(self.context["request"].user, complaint)]

    @extend_schema_field(MeasureSerializer(many=True))
    def get_measures(self, complaint: Complaint) -> list[dict]:
        measures = complaint.measures.select_related("executor", "approved_by")
        # many=True makes a ListSerializer, whose data is a list; the stubs keep the class's ReturnDict.
        return cast(list[dict], MeasureSerializer(measures, many=True, context=self.context).data)


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class TimelineEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EventKind.choices)
    created_at = serializers.DateTimeField()
    actor = UserRefSerializer(allow_null=True)
    transition = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    field = serializers.CharField()
    old_value = serializers.CharField()
    new_value = serializers.CharField()
    code = serializers.CharField()  # a deadline event's code, e.g. "breached"
    reference = serializers.CharField()  # a received file's reference
    text = serializers.CharField()
    attachment = AttachmentSerializer(allow_null=True)
