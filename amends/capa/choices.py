from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NonconformityKind(models.TextChoices):
    """ISO 9001 clause 10.2: a nonconformity found, or one that may happen (a preventive action's)."""

    ACTUAL = "actual", _("Actual")
    POTENTIAL = "potential", _("Potential")


class NonconformityState(models.TextChoices):
    # Worded for a record, apart from a complaint's "Closed" (its gender in Russian) and the verb "Open".
    OPEN = "open", pgettext_lazy("nonconformity", "Open")
    ANALYSED = "analysed", _("Analysed")
    ACTIONS_PLANNED = "actions_planned", _("Actions planned")
    ACTIONS_DONE = "actions_done", _("Actions done")
    EFFECTIVENESS_CHECKED = "checked", _("Effectiveness checked")
    CLOSED = "closed", pgettext_lazy("nonconformity", "Closed")


class Source(models.TextChoices):
    """Where a nonconformity came from."""

    MANUAL = "manual", _("Opened by a person")
    CARDS = "cards", _("Opened from complaints")
    MEASURE = "measure", _("A complaint's measure promoted")
    NORM = "norm", _("A supplier or manufacturer norm exceeded")
    CLUSTER = "cluster", _("Similar complaints from different customers")
    CAUSE_GROWTH = "cause_growth", _("A cause growing quarter on quarter")


class ActionKind(models.TextChoices):
    CORRECTIVE = "corrective", _("Corrective action")
    PREVENTIVE = "preventive", _("Preventive action")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Category6M(models.TextChoices):
    """The fishbone's bones (Ishikawa 6M)."""

    MAN = "man", _("Man (people)")
    MACHINE = "machine", _("Machine (equipment)")
    METHOD = "method", _("Method (process)")
    MATERIAL = "material", _("Material (components)")
    MEASUREMENT = "measurement", _("Measurement")
    ENVIRONMENT = "environment", _("Environment")


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Calendar year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")


class NormSubject(models.TextChoices):
    """Whose fault a norm counts (DOMAIN.md §7): the company's own production, every supplier's
    components together (the seeds' company-wide figure), and each supplier's own."""

    MANUFACTURER = "manufacturer", _("Manufacturer's fault")
    ALL_SUPPLIERS = "all_suppliers", _("Suppliers' components, all suppliers")
    SUPPLIER = "supplier", _("One supplier's components")


class ProposalKind(models.TextChoices):
    NORM = "norm", _("Norm exceeded")
    CLUSTER = "cluster", _("Cluster of similar complaints")
    CAUSE_GROWTH = "cause_growth", _("Cause growing quarter on quarter")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")


class RecordEventKind(models.TextChoices):
    """The kinds of entry on a nonconformity's own timeline; `code` says exactly what happened."""

    OPENED = "opened", _("Opened")
    TRANSITION = "transition", _("Status change")
    OWNER = "owner", _("Owner appointed")
    COMPLAINTS = "complaints", _("Complaints linked or unlinked")
    ROOT_CAUSE = "root_cause", _("Root cause")
    ACTION = "action", _("Action")
    CHECK = "check", _("Effectiveness check")
    DEADLINE = "deadline", _("Deadline")
    NOTE = "note", _("Note")
    CHANGED = "changed", _("Changed")
