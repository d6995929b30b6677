"""An oral complaint becomes a claim when the customer confirms it in writing (DOMAIN.md §1)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.models import User

from .. import access
from ..choices import ClaimDemand, RequestType
from ..models import Complaint
from .lifecycle import _apply_changes, card_locked
from .timeline import attachment_check, attachment_store


@transaction.atomic
def complaint_confirm_in_writing(
    *, complaint: Complaint, actor: User, confirmed_on: date, demand: str, scan: UploadedFile,
) -> Complaint:
    """Record the customer's written confirmation (its date and scan) of a complaint with a demand:
    the card becomes a claim, and the timeline shows the scan and each changed field."""
    attachment_check(scan)
    complaint = card_locked(complaint, None)
    access.access_write(actor, complaint, access.EDIT)
    if complaint.request_type != RequestType.COMPLAINT:
        raise ValidationError(_("Only a complaint becomes a claim by its written confirmation."))
    if demand not in ClaimDemand.values:
        raise ValidationError({"demand": _("Say what the customer demands.")})
    if confirmed_on > timezone.localdate():
        raise ValidationError({"confirmed_on": _("The written confirmation cannot come in the future.")})
    attachment = attachment_store(complaint, scan, actor)
    return _apply_changes(complaint, {
        "request_type": RequestType.CLAIM, "claim_demand": demand,
        "written_confirmation_on": confirmed_on, "written_confirmation": attachment,
    }, actor)
