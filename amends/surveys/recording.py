"""Recording a response: the one write every way in uses (the personal link, staff typing a paper,
fax or phone answer, the API, the demo). Scores are checked and K computed here (scoring.py); a link
answers once, and not after it expired."""

from collections.abc import Mapping
from datetime import datetime
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.complaints.models import Complaint
from amends.customers.models import Contact

from .choices import InvitationState, ResponseSource
from .models import Answer, Invitation, QuestionnaireVersion, Response
from .scoring import Rating, RatingError, rounded, sums
from .signals import survey_answered


class LinkUsed(Exception):
    """The invitation was answered already: nothing is stored twice."""


class LinkExpired(Exception):
    """The invitation's link is past its expiry."""


def invitation_open(invitation: Invitation, now: datetime | None = None) -> None:
    """LinkUsed or LinkExpired when the link cannot take an answer now."""
    now = now or timezone.now()
    if invitation.answered_at is not None or invitation.state == InvitationState.ANSWERED:
        raise LinkUsed
    if invitation.state == InvitationState.EXPIRED or (invitation.expires_at and invitation.expires_at <= now):
        raise LinkExpired


def segment_of(contact: Contact, complaint: Complaint | None) -> dict:
    organisation = contact.organisation
    return {
        "organisation_kind": organisation.kind if organisation else "",
        "region": (organisation.region if organisation and organisation.region else contact.region),
        "product_id": complaint.product_id if complaint is not None else None,
    }


@transaction.atomic
def response_record(
    *, version: QuestionnaireVersion, ratings: Mapping[int, Rating], source: str, language: str,
    contact: Contact | None = None, invitation: Invitation | None = None, complaint: Complaint | None = None,
    recommends: bool | None = None, continues: bool | None = None, suggestion: str = "",
    entered_by: User | None = None, received_at: datetime | None = None,
) -> Response:
    """Store one filled-in questionnaire; `ratings` maps criterion ids of `version` to their Rating
    (a criterion left out was left blank). ValidationError when it cannot be scored, names another
    version's criterion or is of a customer whose personal data was erased; LinkUsed / LinkExpired for
    an invitation that takes no answer."""
    if invitation is not None:
        invitation = Invitation.objects.select_for_update().select_related("campaign").get(pk=invitation.pk)
        invitation_open(invitation)
        if invitation.campaign.version_id != version.pk:
            raise ValidationError(_("This questionnaire is not the one the invitation sent."))
        contact, complaint = invitation.contact, complaint or invitation.complaint
    if contact is None:
        raise ValidationError(_("Say whose answers these are."))
    if contact.erased_at is not None:
        raise ValidationError(_("This customer's personal data was erased: no answers are recorded for them."))
    if source not in ResponseSource.values:
        raise ValidationError(_("Say how the answers came."))
    criteria = set(version.criteria.values_list("pk", flat=True))
    if not ratings or not set(ratings) <= criteria:
        raise ValidationError(_("Rate at least one criterion of this questionnaire."))
    try:
        weighted, importance = sums(list(ratings.values()))
    except RatingError as error:
        raise ValidationError(str(error)) from error
    response = Response.objects.create(
        invitation=invitation, contact=contact, complaint=complaint, version=version, source=source,
        entered_by=entered_by, received_at=received_at or timezone.now(), language=language,
        recommends=recommends, continues=continues, suggestion=suggestion.strip(),
        weighted_sum=weighted, importance_sum=importance, k=rounded(Fraction(weighted, importance)),
        **segment_of(contact, complaint),
    )
    Answer.objects.bulk_create([
        Answer(response=response, criterion_id=criterion_id, score=rating.score, importance=rating.importance)
        for criterion_id, rating in ratings.items()
    ])
    if invitation is not None:
        Invitation.objects.filter(pk=invitation.pk).update(
            state=InvitationState.ANSWERED, answered_at=response.received_at,
        )
    survey_answered.send(sender=Response, response=response, invitation=invitation)
    return response
