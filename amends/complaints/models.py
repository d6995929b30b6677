import functools
import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import Department
from amends.core.dates import date_text, datetime_text
from amends.core.models import ReferenceModel, TimeStampedModel
from amends.customers.models import Component, Contact, Organisation, Product, Supplier

from .choices import (
    FINAL_STATES,
    OPEN_STATES,
    ORAL_CHANNELS,
    CauseKind,
    Channel,
    ClaimDemand,
    EventKind,
    Importance,
    Justification,
    Loyalty,
    Origin,
    RequestType,
    Signatory,
    State,
)
from .event_texts import event_text

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

USER = settings.AUTH_USER_MODEL


class Category(ReferenceModel):
    """Complaint subject in two levels, e.g. "Delivery › Late delivery"."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT,
        related_name="children", verbose_name=_("parent category"),
    )

    class Meta(ReferenceModel.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        if self.parent is not None:
            return f"{self.parent.localized_name} › {self.localized_name}"
        return self.localized_name


class Cause(ReferenceModel):
    kind = models.CharField(_("kind"), max_length=20, choices=CauseKind.choices)

    class Meta(ReferenceModel.Meta):
        verbose_name = _("cause")
        verbose_name_plural = _("causes")


def new_tracking_code() -> str:
    """The secret in a customer's tracking link: unguessable, sent only to them."""
    return secrets.token_urlsafe(18)


class NumberSequence(models.Model):
    """The last complaint number issued in a year; its row is locked while a number is taken."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


def request_type_errors(
    *, request_type: str, claim_demand: str, channel: str, confirmed_in_writing: bool = False,
) -> "dict[str, StrOrPromise]":
    """What is wrong with a card's request type and demand, by field (DOMAIN.md §1: a claim is a
    written complaint with a demand; an oral one becomes a claim on its written confirmation)."""
    if request_type != RequestType.CLAIM:
        return {"claim_demand": _("Only a claim has a demand.")} if claim_demand else {}
    if not claim_demand:
        return {"claim_demand": _("Say what the customer demands.")}
    if channel in ORAL_CHANNELS and not confirmed_in_writing:
        return {"request_type": _(
            "An oral complaint becomes a claim when its written confirmation is recorded on the card."
        )}
    return {}


class Complaint(TimeStampedModel):
    """The complaint card (ISO 9001 record, DOMAIN.md §2) with its classification (§3)."""

    number = models.CharField(_("card No."), max_length=20, unique=True, editable=False)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.REGISTERED,
        editable=False, db_index=True,
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    # Registration (§1)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    origin = models.CharField(
        _("external / internal"), max_length=10, choices=Origin.choices, default=Origin.EXTERNAL,
    )
    request_type = models.CharField(
        _("request type"), max_length=12, choices=RequestType.choices, default=RequestType.COMPLAINT,
    )
    claim_demand = models.CharField(_("demand"), max_length=12, choices=ClaimDemand.choices, blank=True)
    # What turned an oral complaint into a claim: the day its written confirmation came, and its scan.
    written_confirmation_on = models.DateField(_("written confirmation received on"), null=True, blank=True)
    written_confirmation = models.ForeignKey(
        "Attachment", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("scan of the written confirmation"),
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT,
        related_name="complaints", verbose_name=_("organisation"),
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT,
        related_name="complaints", verbose_name=_("contact person"),
    )
    project = models.CharField(_("project"), max_length=200, blank=True)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("product"),
    )
    component = models.ForeignKey(
        Component, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("component"),
    )
    supplier = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("supplier"),
    )
    order_reference = models.CharField(
        _("order / product registration No."), max_length=100, blank=True,
    )
    employee_concerned = models.CharField(_("employee concerned"), max_length=200, blank=True)
    department_concerned = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="complaints", verbose_name=_("department concerned"),
    )
    wording = models.TextField(_("customer's wording"))
    # Empty when a channel registered the complaint by itself (web form, e-mail, messenger).
    # Indexed below only where set: most cards come in by themselves (e-mail, the web form, the API), and
    # an index of mostly empty keys tells the planner that one person's cards are most of the table.
    registered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="registered_complaints",
        verbose_name=_("registered by"), db_index=False,
    )
    tracking_code = models.CharField(max_length=32, unique=True, default=new_tracking_code, editable=False)
    external_id = models.CharField(_("external ID"), max_length=200, blank=True, db_index=True)
    # The conversation a messenger or social-network message came from, e.g. "telegram:bot:123".
    thread_key = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    consent_text = models.TextField(_("consent to personal data processing"), blank=True, editable=False)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True, editable=False)

    # Classification (§3)
    responsible = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT,
        related_name="responsible_complaints", verbose_name=_("responsible person"),
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("category"),
    )
    cause = models.ForeignKey(
        Cause, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("cause"),
    )
    importance = models.CharField(
        _("importance"), max_length=10, choices=Importance.choices, default=Importance.MEDIUM,
    )
    # The decision clock allows 10 days instead of 1 when this is set (DOMAIN.md §5).
    needs_investigation = models.BooleanField(_("investigation or on-site inspection needed"), default=False)
    # Statutory clocks start on the day the demand was presented, which may precede registration (§10).
    demand_presented_at = models.DateTimeField(_("demand presented at"), null=True, blank=True)
    justification = models.CharField(
        _("justification"), max_length=12, choices=Justification.choices, blank=True,
    )
    opinion = models.TextField(_("opinion of the responsible person"), blank=True)
    opinion_date = models.DateField(_("date the opinion was formulated"), null=True, blank=True)

    # Handling and outcome (§4, §6)
    actions_taken = models.TextField(_("actions taken"), blank=True)
    answer_text = models.TextField(_("answer to the customer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    time_spent_minutes = models.PositiveIntegerField(
        _("time spent, minutes"), null=True, blank=True,
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction with the resolution (1-10)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    loyalty = models.CharField(_("loyalty"), max_length=12, choices=Loyalty.choices, blank=True)
    customer_unreachable = models.BooleanField(_("customer could not be reached"), default=False)
    unreachable_note = models.TextField(_("note on reaching the customer"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The customer wrote to an answered or closed card and nobody has decided yet: reopen it, or
    # keep it closed (services/after_answer.py). The first such message; cleared by the decision.
    message_after_answer_at = models.DateTimeField(
        _("new message from the customer after the answer"), null=True, blank=True, editable=False,
    )
    message_after_answer = models.ForeignKey(
        "TimelineEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    # Indexed below only where set, as registered_by.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT,
        related_name="duplicates", verbose_name=_("duplicate of"), db_index=False,
    )

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at"]
        indexes = [
            # The list (complaints/selectors.py): each filter's index holds the list's order (newest first), so a
            # page is read off it, and the state, so its count (capped: list_page.BoundedPaginator) reads the
            # index alone. The state's index holds every filtered column: the duplicates and withdrawn cards
            # matching the other filters are counted from it alone (bench/million.py).
            models.Index(
                fields=["state", "received_at", "channel", "category", "importance", "responsible"],
                name="complaint_state_received",
            ),
            models.Index(fields=["channel", "received_at", "state"], name="complaint_channel_received"),
            models.Index(fields=["category", "received_at", "state"], name="complaint_category_received"),
            models.Index(fields=["importance", "received_at", "state"], name="complaint_importance_received"),
            models.Index(fields=["responsible", "received_at", "state"], name="complaint_responsible_received"),
            # The cards a person registered ("my cards", what an operator sees), newest first; most have nobody,
            # so the planner, which reads the index's own statistics, sees how few are anyone's.
            models.Index(fields=["registered_by", "received_at"], condition=models.Q(registered_by__isnull=False),
                         name="complaint_registered_by"),
            # A card's duplicates (its page), newest first; few cards are duplicates.
            models.Index(fields=["duplicate_of", "received_at"], condition=models.Q(duplicate_of__isnull=False),
                         name="complaint_duplicate_of"),
            # The open cards' keys ("deadline breached" joins them to the clocks past due): read from the index
            # alone, where the state's index read each open card's row (PostgreSQL, bench/million.py).
            models.Index(fields=["id"], condition=models.Q(state__in=sorted(OPEN_STATES)), name="complaint_open"),
            # A person's open cards by state (the responsible-person picker's counts).
            models.Index(fields=["responsible", "state"]),
            # A customer's cards by date (duplicates' same contact, the privacy export), read backwards too.
            models.Index(fields=["contact", "received_at"]),
            # The few cards whose customer wrote after the answer (the list's filter, My deadlines).
            models.Index(
                fields=["message_after_answer_at"], name="complaint_message_after_answer",
                condition=models.Q(message_after_answer_at__isnull=False),
            ),
            # The cards of one order (duplicates: the same order is the same customer's matter).
            models.Index(fields=["order_reference", "received_at"]),
            # The supplier and manufacturer norms (capa/norms.py): a period's justified cards, read from
            # the index alone, whatever the number of cards in other periods (bench/capa.py).
            models.Index(
                fields=["justification", "received_at", "cause", "state", "supplier", "component"],
                name="complaint_norm_counts",
            ),
            # Every card of a period with what the suppliers list groups and counts (capa/scorecard.py),
            # read from the index alone on PostgreSQL too, which cannot skip through the one above.
            models.Index(
                fields=["received_at", "state", "justification", "cause", "supplier", "component"],
                name="complaint_period_counts",
            ),
            # The analysis (analytics/selectors.py counted_complaints, figures/): a period's counted cards with
            # what its charts group by, read from the index alone (bench/analytics.py: two to three times
            # faster on SQLite with a million cards).
            models.Index(
                fields=["received_at", "request_type", "state", "department_concerned", "channel", "category",
                        "cause", "justification", "loyalty", "satisfaction", "contact"],
                name="complaint_analysis",
            ),
            # A supplier's cards by date, by the card's own supplier or its component's (capa's scorecard).
            models.Index(fields=["supplier", "received_at"]),
            models.Index(fields=["component", "received_at"]),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        errors = request_type_errors(
            request_type=self.request_type, claim_demand=self.claim_demand, channel=self.channel,
            confirmed_in_writing=self.written_confirmation_on is not None,
        )
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.state not in FINAL_STATES

    @property
    def customer_name(self) -> str:
        # An unset foreign key reads as None without a query.
        contact, organisation = self.contact, self.organisation
        if contact is not None and organisation is not None:
            return f"{organisation.name} — {contact.full_name}"
        if contact is not None:
            return contact.full_name
        return organisation.name if organisation is not None else ""


class Measure(TimeStampedModel):
    """A measure planned for a justified complaint, approved by the QMS head, done by an executor."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="measures", verbose_name=_("complaint"),
    )
    description = models.TextField(_("measure"))
    executor = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="measures", verbose_name=_("executor"),
    )
    due_date = models.DateField(_("due date"))
    approved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    report = models.TextField(_("executor's report"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["due_date", "pk"]
        indexes = [
            # The measures not done past their due date (the list's "measure overdue", the weekly summary):
            # few of every card's measures, found without reading the others.
            models.Index(fields=["due_date", "complaint"], condition=models.Q(done_at__isnull=True),
                         name="complaints_measure_not_done"),
            # The measures done in a week (the weekly summary's resolution figures).
            models.Index(fields=["done_at", "due_date", "complaint"], condition=models.Q(done_at__isnull=False),
                         name="complaints_measure_done"),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class SignOff(models.Model):
    """A signature on the complaint card: the responsible person's or the QMS head's, with its date."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="sign_offs", verbose_name=_("complaint"),
    )
    signatory = models.CharField(_("signed as"), max_length=20, choices=Signatory.choices)
    signed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("signed by"))
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "signatory"], name="complaints_signoff_once"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.signatory} {self.signed_by_id}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"complaints/{instance.complaint.number}/{filename}"


class Attachment(models.Model):
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class AppendOnlyError(Exception):
    pass


class TimelineEvent(models.Model):
    """Append-only history of a card: nothing here is edited or deleted."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    transition = models.CharField(max_length=30, blank=True)
    from_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    field = models.CharField(max_length=50, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)  # a field change's new value, nothing else
    text = models.TextField(blank=True)
    code = models.CharField(max_length=30, blank=True)  # a deadline event's code (waiting, breached...), or kept_closed
    reference = models.TextField(blank=True)  # a received file's reference: recorded once per card
    # A measure's or deadline's entry as its code's parameters, worded for each reader (event_texts.py).
    params = models.JSONField(null=True, blank=True)
    attachment = models.ForeignKey(
        Attachment, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Timeline events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Timeline events are never deleted.")

    @property
    def field_label(self) -> str:
        try:
            field = Complaint._meta.get_field(self.field)
        except FieldDoesNotExist:
            return self.field
        # Timeline rows name card fields; a reverse relation has no verbose name of its own.
        return str(field.verbose_name) if isinstance(field, models.Field) else self.field

    @property
    def old_display(self) -> str:
        return self._value_display(self.old_value)

    @property
    def new_display(self) -> str:
        return self._value_display(self.new_value)

    def _value_display(self, value: str) -> str:
        """A changed date or time, stored in ISO, in the reader's format; a choice or a yes/no, stored
        as its author read it, in the reader's language; any other value as stored."""
        try:
            field = Complaint._meta.get_field(self.field)
            if isinstance(field, models.DateTimeField):
                return datetime_text(datetime.fromisoformat(value))
            if isinstance(field, models.DateField):
                return date_text(date.fromisoformat(value))
        except (FieldDoesNotExist, ValueError):
            pass
        return label_in_reader_language(self.field, value)

    @property
    def kind_label(self) -> "StrOrPromise":
        """get_kind_display, without building a dict of every kind's label, each translated, per entry:
        a card's timeline of 40 entries asked for 800 translations."""
        try:
            return EventKind(self.kind).label
        except ValueError:  # a kind no longer known: as get_kind_display, its value
            return self.kind

    @property
    def text_display(self) -> str:
        """A registration's channel, stored as its author read it, in the reader's language; an entry
        kept with its parameters worded in the reader's language; any other text as stored."""
        if self.kind == EventKind.REGISTERED:
            return label_in_reader_language("channel", self.text)
        if self.params is not None:
            return event_text(self.kind, self.code, self.params) or self.text
        return self.text


@functools.cache
def _labels_in_every_language(field_name: str) -> dict[str, object]:
    """Each label of a card field's choices (or of yes/no) in every language the app speaks, to its value."""
    try:
        field = Complaint._meta.get_field(field_name)
    except FieldDoesNotExist:
        return {}
    found: dict[str, object] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            if getattr(field, "choices", None):
                found |= {str(label): value for value, label in field.flatchoices}  # type: ignore[union-attr]
            elif isinstance(field, models.BooleanField):
                found |= {str(gettext("yes")): True, str(gettext("no")): False}
    return found


def label_in_reader_language(field_name: str, stored: str) -> str:
    """The timeline keeps a choice as the label its author read ("Обоснованная"); a reader of
    another language reads it in theirs. Anything that is not such a label stays as stored."""
    value = _labels_in_every_language(field_name).get(stored)
    if value is None:
        return stored
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    field = Complaint._meta.get_field(field_name)
    return str(dict(field.flatchoices).get(value, stored))  # type: ignore[union-attr]

class SavedFilter(models.Model):
    """A user's named set of the list's filters: field name → values, as the list's query has them.
    Kept as JSON, not as a query string, and in complaints rather than accounts: a search may name a
    customer, and erasing their personal data sweeps this table's text for them (a query string
    would hide a Cyrillic name behind percent-escapes)."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField(_("name"), max_length=100)
    filters = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_filter_name_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def query(self) -> str:
        """The list's query string that applies these filters, by field name (PostgreSQL's JSON
        keeps no order of its own)."""
        return urlencode(sorted(self.filters.items()), doseq=True)
