"""The names a letter template fills from the card, the company, the compensation granted and the
letter itself (its references, enclosures and signer). Every value is a plain string, number, dict or
list, worded in the active language (the letter's: `letters.py` renders inside its override).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.complaints.models import Attachment, Complaint
from amends.core.dates import date_text
from amends.deadlines.choices import ClockKind

from .choices import GrantStatus
from .context import register_letter_context
from .models import CompensationGrant, LegalReference, Letter, Letterhead
from .money import money_text

ESSENCE_CHARS = 300  # the customer's wording, shortened to what a letter restates

SIGNER = {"name": None, "position": None, "phone": None, "email": None}
SHAPES: dict[str, Any] = {
    "card": {
        "number": None, "received": None, "demand_presented": None, "answered": None, "today": None,
        "answer_by": None,
    },
    "customer": {"name": None, "organisation": None, "contact_name": None},
    "recipient": {"name": None, "address": None},
    "sender": {"name": None, "registration": None, "address": None, "phone": None, "email": None, "website": None},
    "product": {"name": None, "order": None},
    "essence": None,
    "decision": {"justification": None, "opinion": None},
    "measures": [{"description": None, "due": None, "done": None}],
    "compensation": {
        "grants": [{"option": None, "kind": None, "value": None, "method": None, "due": None}],
        "summary": None, "total": None,
    },
    "references": [{"title": None, "text": None}],
    "enclosures": [{"name": None}],
    "signer": SIGNER,
}


def day_text(moment: date | datetime | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return date_text(moment)


def essence_text(complaint: Complaint) -> str:
    return Truncator(" ".join(complaint.wording.split())).chars(ESSENCE_CHARS)


def letterhead() -> Letterhead | None:
    return Letterhead.objects.order_by("pk").first()


def recipient_address(complaint: Complaint) -> str:
    contact, organisation = complaint.contact, complaint.organisation
    if contact is not None and contact.address:
        return contact.address
    if organisation is None and contact is not None:
        organisation = contact.organisation
    return organisation.address if organisation is not None else ""


def approved_grants(complaint: Complaint) -> QuerySet[CompensationGrant]:
    return complaint.compensations.filter(status=GrantStatus.APPROVED).select_related("option")


def grant_names(grant: CompensationGrant) -> dict[str, str]:
    """A grant as the letter words it. The catalogue's names are in the company's language; a letter in
    another language names the option by its kind, worded in the letter's language."""
    kind = str(grant.option.get_kind_display())
    in_company_language = translation.get_language() == settings.LANGUAGE_CODE
    return {
        "option": grant.option.name if in_company_language else kind, "kind": kind,
        "value": money_text(grant.value), "method": grant.method, "due": day_text(grant.due_date),
    }


def _compensation(complaint: Complaint) -> dict[str, Any]:
    grants = list(approved_grants(complaint))
    named = [grant_names(grant) for grant in grants]
    return {
        "grants": named,
        "summary": "; ".join(
            _("%(option)s: %(value)s, %(method)s, by %(due)s") % names for names in named
        ),
        "total": money_text(sum((grant.value for grant in grants), Decimal(0))),
    }


def signer_names(user: User | None) -> dict[str, str]:
    if user is None:
        return dict.fromkeys(SIGNER, "")
    return {"name": user.get_full_name() or user.username, "position": user.position, "phone": user.phone,
            "email": user.email}


def answer_due(complaint: Complaint) -> datetime | None:
    """When the decision is due, for a holding reply's promise: its running clock's due time (the
    statutory answer's, when a preset set one), else the last one it had."""
    clocks = [clock for clock in complaint.clocks.all() if clock.kind in (ClockKind.DECISION, ClockKind.ANSWER)]
    running = [clock.due_at for clock in clocks if clock.is_running]
    return max(running or [clock.due_at for clock in clocks], default=None)


def card_names(complaint: Complaint) -> dict[str, Any]:
    contact, organisation = complaint.contact, complaint.organisation
    if organisation is None and contact is not None:
        organisation = contact.organisation
    company = letterhead()
    return {
        "card": {
            "number": complaint.number, "received": day_text(complaint.received_at),
            "demand_presented": day_text(complaint.demand_presented_at),
            "answered": day_text(complaint.answered_at), "today": day_text(timezone.localdate()),
            "answer_by": day_text(answer_due(complaint)),
        },
        "customer": {
            "name": complaint.customer_name, "organisation": organisation.name if organisation else "",
            "contact_name": contact.full_name if contact else "",
        },
        "recipient": {
            "name": contact.full_name if contact else (organisation.name if organisation else ""),
            "address": recipient_address(complaint),
        },
        "sender": {
            "name": company.name, "registration": company.registration, "address": company.address,
            "phone": company.phone, "email": company.email, "website": company.website,
        } if company else dict.fromkeys(SHAPES["sender"], ""),
        "product": {
            "name": complaint.product.localized_name if complaint.product else "",
            "order": complaint.order_reference,
        },
        "essence": essence_text(complaint),
        "decision": {
            "justification": str(complaint.get_justification_display()) if complaint.justification else "",
            "opinion": complaint.opinion,
        },
        "measures": [
            {"description": m.description, "due": day_text(m.due_date), "done": day_text(m.done_at)}
            for m in complaint.measures.all()
        ],
        "compensation": _compensation(complaint),
        # The letter's own: chosen on it (letter_names); a draft starts with none and the responsible person.
        "references": [],
        "enclosures": [],
        "signer": signer_names(complaint.responsible),
    }


def reference_names(references: "QuerySet[LegalReference] | list[LegalReference]") -> list[dict[str, str]]:
    return [{"title": reference.title, "text": reference.text} for reference in references]


def enclosure_names(enclosures: "QuerySet[Attachment] | list[Attachment]") -> list[dict[str, str]]:
    return [{"name": attachment.original_name} for attachment in enclosures]


def letter_names(letter: Letter) -> dict[str, Any]:
    """What a saved letter puts in place of the card's defaults."""
    return {
        "references": reference_names(letter.references.all()),
        "enclosures": enclosure_names(letter.enclosures.all()),
        "signer": signer_names(letter.signed_by),
    }


def register() -> None:
    register_letter_context(frozenset(SHAPES), card_names, SHAPES)
