from django.db import models
from django.utils.translation import gettext_lazy as _

from amends.complaints.choices import Justification


class Outcome(models.TextChoices):
    """What a letter tells the customer (DOMAIN.md §6): one template set per outcome and language."""

    SATISFIED = "satisfied", _("Fully satisfied")
    PARTLY = "partly", _("Partly satisfied")
    REFUSED = "refused", _("Refused")
    HOLDING = "holding", _("Holding reply")
    INFO_REQUEST = "info_request", _("Request for information")


# The outcomes that decide the complaint; the others are letters on the way.
FINAL_OUTCOMES = frozenset({Outcome.SATISFIED, Outcome.PARTLY, Outcome.REFUSED})

OUTCOME_BY_JUSTIFICATION = {
    Justification.JUSTIFIED: Outcome.SATISFIED,
    Justification.PARTLY: Outcome.PARTLY,
    Justification.UNJUSTIFIED: Outcome.REFUSED,
}


class ReferenceKind(models.TextChoices):
    LAW = "law", _("Law or regulation")
    CONTRACT = "contract", _("Contract clause")
    OTHER = "other", _("Other document")


class CompensationKind(models.TextChoices):
    """Seed 001: options of different value, cheap for the company and valuable for the customer."""

    REFUND = "refund", _("Refund")
    PRICE_REDUCTION = "price_reduction", _("Price reduction")
    REPLACEMENT = "replacement", _("Replacement")
    REPAIR = "repair", _("Repair")
    VOUCHER = "voucher", _("Voucher")
    FREE_DELIVERY = "free_delivery", _("Free delivery")
    GIFT = "gift", _("Gift")
    APOLOGY_CARD = "apology_card", _("Personal apology card with a small gift")
    # Consumer law art. 23: 1 % of the price per day a statutory term was missed (DOMAIN.md §10).
    PENALTY = "penalty", _("Statutory penalty")


class GrantStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Granted")
    REFUSED = "refused", _("Refused")
