from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ASSIGNED = "assigned", _("Assigned")
    INVESTIGATING = "investigating", _("Investigating")
    DECIDED = "decided", _("Decided")
    MEASURES_PLANNED = "measures_planned", _("Measures planned")
    IN_PROGRESS = "in_progress", _("Measures in progress")
    RESOLVED = "resolved", _("Resolved")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    DUPLICATE = "duplicate", _("Duplicate")
    WITHDRAWN = "withdrawn", _("Withdrawn")


FINAL_STATES = frozenset({State.CLOSED, State.DUPLICATE, State.WITHDRAWN})
OPEN_STATES = frozenset(State) - FINAL_STATES


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    FAX = "fax", _("Fax")
    WEB_FORM = "web_form", _("Web form")
    SOCIAL = "social", _("Social network")
    MESSENGER = "messenger", _("Messenger")
    INTERNAL = "internal", _("Internal")


# Oral complaints: a claim needs their written confirmation first (DOMAIN.md §1).
ORAL_CHANNELS = frozenset({Channel.PHONE, Channel.IN_PERSON})


class RequestType(models.TextChoices):
    """What the customer's request is (DOMAIN.md, "Words"): only complaints and claims are counted
    in complaint statistics; objections and other requests are registered and answered."""

    COMPLAINT = "complaint", _("Complaint")
    CLAIM = "claim", _("Claim (written, with a demand)")
    OBJECTION = "objection", _("Objection")
    OTHER = "other", _("Other request")


COUNTED_REQUEST_TYPES = frozenset({RequestType.COMPLAINT, RequestType.CLAIM})


class ClaimDemand(models.TextChoices):
    REFUND = "refund", _("Refund")
    REPAIR = "repair", _("Repair")
    REPLACEMENT = "replacement", _("Replacement")
    COMPENSATION = "compensation", _("Compensation")


class Origin(models.TextChoices):
    EXTERNAL = "external", _("External (customer)")
    INTERNAL = "internal", _("Internal (appeal to the QMS)")


class Importance(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Justification(models.TextChoices):
    JUSTIFIED = "justified", _("Justified")
    PARTLY = "partly", _("Partly justified")
    UNJUSTIFIED = "unjustified", _("Unjustified")


class Loyalty(models.TextChoices):
    """Recorded apart from satisfaction: a satisfied customer may still leave (DOMAIN.md §3)."""

    RECOMMENDS = "recommends", _("Stays and would recommend us")
    STAYS = "stays", _("Stays, would not recommend us")
    LEAVES = "leaves", _("Refuses further cooperation")


# The seeds' loyalty norms (DOMAIN.md §8), per cent of the customers asked: beyond them, act at once.
NOT_RECOMMENDING_NORM = 20  # at most 2 in 10 would not recommend us
LEAVING_NORM = 30  # at most 3 in 10 refuse further cooperation


class CauseKind(models.TextChoices):
    MANUFACTURER = "manufacturer", _("Manufacturer's fault")
    SUPPLIER = "supplier", _("Supplier / components")
    LOGISTICS = "logistics", _("Logistics")
    STAFF = "staff", _("Staff behaviour")
    CUSTOMER = "customer", _("Customer error")
    OTHER = "other", _("Other")


class EventKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    TRANSITION = "transition", _("Status change")
    FIELD_CHANGE = "field_change", _("Field changed")
    NOTE = "note", _("Note")
    ATTACHMENT = "attachment", _("Attachment")
    MEASURE = "measure", _("Measure")
    MESSAGE_IN = "message_in", _("Message from the customer")
    MESSAGE_OUT = "message_out", _("Message to the customer")
    CALL = "call", _("Call to the customer")
    DEADLINE = "deadline", _("Deadline")
    NOTIFICATION = "notification", _("Notification")
    PERSONAL_DATA = "personal_data", _("Personal data erased")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement sent to the customer")
    SIGN_OFF = "sign_off", _("Card signed off")
    COMPENSATION = "compensation", _("Compensation")
    ANSWER_SENT = "answer_sent", _("Answer sent to the customer")
    NONCONFORMITY = "nonconformity", _("Nonconformity")


class Signatory(models.TextChoices):
    """Who signs the complaint card off (DOMAIN.md §2)."""

    RESPONSIBLE = "responsible", _("Responsible person")
    QMS_HEAD = "qms_head", _("Head of the quality management system")


# Channels whose customer is handed a printed acceptance note (a copy with the number, DOMAIN.md §1).
ACCEPTANCE_NOTE_CHANNELS = frozenset({Channel.IN_PERSON, Channel.LETTER, Channel.FAX})
