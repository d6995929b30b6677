from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CampaignKind(models.TextChoices):
    """When a questionnaire goes out (DOMAIN.md §8)."""

    POST_RESOLUTION = "post_resolution", _("After a complaint is answered")
    SEMIANNUAL = "semiannual", _("Every six months, all active customers")
    QUARTERLY_LOW = "quarterly_low", _("Quarterly, customers with a low coefficient")
    MANUAL = "manual", _("Chosen customers")


class CampaignState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("campaign", "Draft")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    CLOSED = "closed", _("Closed")


class InvitationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    MESSENGER = "messenger", _("Messenger")
    PAPER = "paper", _("Post")
    FAX = "fax", _("Fax")
    PHONE = "phone", _("Phone")


class InvitationState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")
    NOT_SENT = "not_sent", _("Not sent")
    ANSWERED = "answered", _("Answered")
    EXPIRED = "expired", _("Expired")


class NotSentReason(models.TextChoices):
    """Why a customer in a campaign's audience gets no questionnaire: said on the campaign's page."""

    ERASED = "erased", _("Personal data erased")
    REFUSED = "refused", _("Asked not to be contacted")
    NO_ADDRESS = "no_address", _("No e-mail or messenger to send to")


class ResponseSource(models.TextChoices):
    """How the answers came back: through the personal link, or typed in by staff."""

    LINK = "link", _("Personal link")
    PAPER = "paper", _("Paper form by post")
    FAX = "fax", _("Fax")
    PHONE = "phone", _("Phone call")
    EMAIL = "email", _("E-mail reply")


STAFF_SOURCES = (ResponseSource.PAPER, ResponseSource.FAX, ResponseSource.PHONE, ResponseSource.EMAIL)


class Band(models.TextChoices):
    """The seeds' reading of a score, an importance or K: 1-3 low, 4-7 medium, 8-10 high."""

    LOW = "low", _("Low (1-3)")
    MEDIUM = "medium", _("Medium (4-7)")
    HIGH = "high", _("High (8-10)")


class FollowUpKind(models.TextChoices):
    LOW_K = "low_k", _("Coefficient below the threshold")
    CALL_BACK = "call_back", _("Would not recommend us: call back")


class FollowUpState(models.TextChoices):
    OPEN = "open", pgettext_lazy("follow-up", "Open")
    DONE = "done", pgettext_lazy("follow-up", "Done")


class OrganisationalMeasure(models.TextChoices):
    """The seeds' organisational measures when K is below 8 (seed 000, stage 2)."""

    SALES_CONTROL = "sales_control", _("Tighten control over marketing and sales at every stage")
    MOTIVATION = "motivation", _("Change the motivation of the sales staff")
    PRODUCT_REQUIREMENTS = "product_requirements", _("Review the quality requirements of the product")
    EQUIPMENT = "equipment", _("Modernise the production equipment")
