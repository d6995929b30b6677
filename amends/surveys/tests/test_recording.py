from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from amends.customers.models import OrganisationKind
from amends.surveys.choices import InvitationState, ResponseSource
from amends.surveys.models import Answer, Response
from amends.surveys.recording import LinkExpired, LinkUsed, response_record
from amends.surveys.scoring import Rating
from amends.surveys.signals import survey_answered

pytestmark = pytest.mark.django_db


def _ratings(criteria, *pairs):
    return {
        criteria[key].pk: Rating(score, importance)
        for key, (score, importance) in zip(criteria, pairs, strict=False)
    }


def test_a_response_through_the_link_stores_k_and_closes_the_invitation(version, criteria, invitation, complaint):
    invitation.complaint = complaint
    invitation.save()
    organisation = invitation.contact.organisation
    organisation.kind, organisation.region = OrganisationKind.COMMERCIAL, "Курская область"
    organisation.save()
    heard = []
    survey_answered.connect(lambda sender, response, invitation, **kw: heard.append(response.pk), weak=False,
                            dispatch_uid="test_recording")
    try:
        response = response_record(
            version=version, invitation=invitation, source=ResponseSource.LINK, language="ru",
            ratings=_ratings(criteria, (9, 10), (7, 8), (10, 3), (6, 9)), recommends=False, continues=True,
            suggestion="  Звоните заранее  ",
        )
    finally:
        survey_answered.disconnect(dispatch_uid="test_recording")
    assert (response.weighted_sum, response.importance_sum, response.k) == (230, 30, Decimal("7.6667"))
    assert (response.contact, response.complaint) == (invitation.contact, complaint)
    assert response.suggestion == "Звоните заранее"
    assert (response.organisation_kind, response.region, response.product_id) == (
        OrganisationKind.COMMERCIAL, "Курская область", complaint.product_id,
    )
    assert Answer.objects.filter(response=response).count() == 4
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.ANSWERED and invitation.answered_at == response.received_at
    assert heard == [response.pk]


def test_a_link_answers_once(version, criteria, invitation):
    kwargs = {"version": version, "invitation": invitation, "source": ResponseSource.LINK, "language": "ru",
              "ratings": _ratings(criteria, (8, 5))}
    response_record(**kwargs)
    with pytest.raises(LinkUsed):
        response_record(**kwargs)
    assert Response.objects.count() == 1


def test_an_expired_link_takes_no_answer(version, criteria, invitation):
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save()
    with pytest.raises(LinkExpired):
        response_record(version=version, invitation=invitation, source=ResponseSource.LINK, language="ru",
                        ratings=_ratings(criteria, (8, 5)))
    assert not Response.objects.exists()


@translation.override("en")
def test_bad_scores_are_refused_and_nothing_is_stored(version, criteria, contact):
    base = {"version": version, "contact": contact, "source": ResponseSource.PAPER, "language": "ru"}
    with pytest.raises(ValidationError, match="from 1 to 10"):
        response_record(ratings=_ratings(criteria, (11, 5)), **base)
    with pytest.raises(ValidationError, match="no weights"):
        response_record(ratings=_ratings(criteria, (8, 0), (9, 0)), **base)
    with pytest.raises(ValidationError, match="at least one criterion"):
        response_record(ratings={}, **base)
    assert not Response.objects.exists()
    typed_in = response_record(ratings=_ratings(criteria, (8, 5)), **base)
    assert typed_in.invitation is None and typed_in.k == Decimal(8)


def test_a_criterion_of_another_version_is_refused(version, criteria, contact):
    from amends.surveys.models import Criterion, QuestionnaireVersion

    other = QuestionnaireVersion.objects.create(questionnaire=version.questionnaire, number=2)
    stranger = Criterion.objects.create(version=other, key="reliability", name="Надёжность")
    with pytest.raises(ValidationError):
        response_record(version=version, contact=contact, source=ResponseSource.PHONE, language="ru",
                        ratings={stranger.pk: Rating(5, 5)})


def test_no_answers_are_recorded_for_an_erased_customer(version, criteria, contact):
    contact.erased_at = timezone.now()
    contact.save()
    with translation.override("en"), pytest.raises(ValidationError, match="erased"):
        response_record(version=version, contact=contact, source=ResponseSource.PAPER, language="ru",
                        ratings=_ratings(criteria, (8, 5)))
    assert not Response.objects.exists()
