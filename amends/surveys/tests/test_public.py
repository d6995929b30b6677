"""The customer's page behind the personal link: the questionnaire in their language, the answers
recorded once, and a clear page for a forged, answered or expired link."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from amends.audit.models import Action, AuditEntry
from amends.surveys.choices import InvitationState, ResponseSource
from amends.surveys.models import Answer, Response
from amends.surveys.tokens import link_path, link_signature

pytestmark = pytest.mark.django_db


def _url(invitation, name="survey:answer", lang=""):
    url = reverse(name, args=[invitation.key, link_signature(invitation.key)])
    return f"{url}?lang={lang}" if lang else url


def _answers(criteria, **overrides):
    """Reliability 9×10, delivery 7×8, courtesy 10×3, handling 6×9: K = 230 / 30 = 7.6667."""
    data = {"recommends": "no", "continues": "yes", "suggestion": "Звоните заранее"}
    for key, (score, importance) in zip(criteria, [(9, 10), (7, 8), (10, 3), (6, 9)], strict=True):
        data[f"score_{criteria[key].pk}"] = str(score)
        data[f"importance_{criteria[key].pk}"] = str(importance)
    data.update(overrides)
    return data


def test_the_page_opens_without_login_in_the_invitations_language(client, invitation, criteria):
    invitation.language = "hy"
    invitation.save()
    page = client.get(link_path(invitation.key))
    assert page.status_code == 200
    text = page.content.decode()
    assert '<html lang="hy">' in text
    assert "Սարքավորումների հուսալիություն" in text and "Հաճախորդների գոհունակություն" in text
    # The staff's bar and navigation are not on the customer's page, and no script is needed.
    assert "topbar" not in text and "<script" not in text
    assert 'name="viewport" content="width=device-width' in text


def test_the_customer_switches_the_language(client, invitation, criteria):
    page = client.get(_url(invitation, lang="en"))
    text = page.content.decode()
    assert '<html lang="en">' in text and "Equipment reliability" in text and "Would you recommend us?" in text
    russian = client.get(_url(invitation)).content.decode()
    assert "Надёжность оборудования" in russian


def test_the_first_opening_is_recorded_once(client, invitation):
    client.get(_url(invitation))
    invitation.refresh_from_db()
    first = invitation.opened_at
    assert first is not None
    client.get(_url(invitation))
    invitation.refresh_from_db()
    assert invitation.opened_at == first


def test_answers_are_recorded_with_k_and_the_customer_thanked(client, invitation, criteria):
    posted = client.post(_url(invitation, lang="en"), _answers(criteria))
    assert posted.status_code == 302
    assert posted["Location"] == _url(invitation, "survey:thanks", lang="en")
    response = Response.objects.get()
    # 9×10 + 7×8 + 10×3 + 6×9 = 230 over 10 + 8 + 3 + 9 = 30.
    assert (response.weighted_sum, response.importance_sum, response.k) == (230, 30, Decimal("7.6667"))
    assert (response.source, response.language, response.contact_id) == (
        ResponseSource.LINK, "en", invitation.contact_id,
    )
    assert (response.recommends, response.continues, response.suggestion) == (False, True, "Звоните заранее")
    assert Answer.objects.filter(response=response).count() == 4
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.ANSWERED
    thanks = client.get(posted["Location"])
    assert thanks.status_code == 200 and "Thank you for your answers" in thanks.content.decode()


def test_a_criterion_left_blank_is_not_rated(client, invitation, criteria):
    blank = {f"score_{criteria['courtesy'].pk}": "", f"importance_{criteria['courtesy'].pk}": "",
             "recommends": "", "continues": ""}
    client.post(_url(invitation), _answers(criteria, **blank))
    response = Response.objects.get()
    # Without courtesy: (90 + 56 + 54) / (10 + 8 + 9) = 200 / 27 = 7.4074.
    assert (response.weighted_sum, response.importance_sum, response.k) == (200, 27, Decimal("7.4074"))
    assert (response.recommends, response.continues) == (None, None)
    assert not Answer.objects.filter(criterion=criteria["courtesy"]).exists()


@pytest.mark.parametrize(("overrides", "message"), [
    ({"score": "11"}, "From 1 to 10."),
    ({"score": "0"}, "From 1 to 10."),
    ({"importance": "-1"}, "From 0 to 10."),
    ({"importance": ""}, "Give both the score and the importance"),
])
def test_a_bad_rating_is_shown_on_the_form_and_nothing_is_lost(client, invitation, criteria, overrides, message):
    pk = criteria["reliability"].pk
    data = _answers(criteria, **{f"{name}_{pk}": value for name, value in overrides.items()})
    page = client.post(_url(invitation, lang="en"), data)
    assert page.status_code == 400
    text = page.content.decode()
    assert message in text
    # What the customer wrote is still there.
    assert "Звоните заранее" in text and '<option value="7" selected>7</option>' in text
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.SENT


def test_all_importances_zero_are_refused_with_the_reason(client, invitation, criteria):
    zero = {f"importance_{criterion.pk}": "0" for criterion in criteria.values()}
    page = client.post(_url(invitation, lang="en"), _answers(criteria, **zero))
    assert page.status_code == 400 and "no weights" in page.content.decode()
    assert not Response.objects.exists()


def test_nothing_rated_is_refused(client, invitation, criteria):
    data = {"recommends": "yes", "continues": "yes", "suggestion": ""}
    page = client.post(_url(invitation, lang="en"), data)
    assert page.status_code == 400 and "Rate at least one criterion." in page.content.decode()
    assert not Response.objects.exists()


def test_a_link_answers_once(client, invitation, criteria):
    client.post(_url(invitation), _answers(criteria))
    again = Client(HTTP_ACCEPT_LANGUAGE="en").post(_url(invitation, lang="en"), _answers(criteria))
    assert again.status_code == 410
    assert "You have already answered — thank you" in again.content.decode()
    assert Response.objects.count() == 1 and Answer.objects.count() == 4
    assert client.get(_url(invitation, lang="en")).status_code == 410


def test_an_expired_link_says_so_and_how_to_reach_us(client, invitation, criteria):
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save()
    for page in (client.get(_url(invitation, lang="en")), client.post(_url(invitation, lang="en"), _answers(criteria))):
        assert page.status_code == 410
        text = page.content.decode()
        assert "This link has expired" in text and "mailto:complaints@amends.localhost" in text
    assert not Response.objects.exists()


def test_an_invitation_expired_by_its_campaign_takes_no_answer(client, invitation, criteria):
    invitation.state = InvitationState.EXPIRED
    invitation.save()
    assert client.post(_url(invitation, lang="en"), _answers(criteria)).status_code == 410
    assert not Response.objects.exists()


@pytest.mark.parametrize("name", ["survey:answer", "survey:thanks", "survey:refuse"])
def test_a_forged_or_unknown_link_is_not_valid(client, invitation, name, criteria):
    forged = reverse(name, args=[invitation.key, "0" * 32])
    unknown_key = "x" * 22
    unknown = reverse(name, args=[unknown_key, link_signature(unknown_key)])
    for url in (forged, unknown):
        for page in (client.get(f"{url}?lang=en"), client.post(f"{url}?lang=en", _answers(criteria))):
            assert page.status_code == 404
            assert "This link is not valid" in page.content.decode()
    assert not Response.objects.exists()
    invitation.contact.refresh_from_db()
    assert invitation.contact.contact_refused_at is None


def test_the_link_of_an_erased_customer_is_not_valid(client, invitation, criteria):
    contact = invitation.contact
    contact.erased_at = timezone.now()
    contact.save()
    assert client.post(_url(invitation, lang="en"), _answers(criteria)).status_code == 404
    assert not Response.objects.exists()


def test_thanks_before_answering_leads_to_the_questionnaire(client, invitation):
    page = client.get(_url(invitation, "survey:thanks", lang="hy"))
    assert page.status_code == 302 and page["Location"] == _url(invitation, lang="hy")


def test_the_customer_stops_the_questionnaires(client, invitation):
    url = _url(invitation, "survey:refuse", lang="en")
    asked = client.get(url)
    assert asked.status_code == 200 and "Stop receiving questionnaires?" in asked.content.decode()
    invitation.contact.refresh_from_db()
    assert invitation.contact.contact_refused_at is None
    done = client.post(url)
    assert done.status_code == 200 and "You will receive no more questionnaires" in done.content.decode()
    invitation.contact.refresh_from_db()
    since = invitation.contact.contact_refused_at
    assert since is not None and not invitation.contact.may_be_contacted
    refusals = AuditEntry.objects.filter(
        action=Action.CHANGE, object_type="customers.contact", object_pk=str(invitation.contact.pk),
    )
    assert [entry.changes["through"] for entry in refusals] == ["survey link"]
    # Asking again changes nothing and is not recorded twice.
    client.post(url)
    invitation.contact.refresh_from_db()
    assert invitation.contact.contact_refused_at == since
    assert refusals.count() == 1


def test_the_stop_page_works_after_answering(client, invitation, criteria):
    client.post(_url(invitation), _answers(criteria))
    assert client.post(_url(invitation, "survey:refuse")).status_code == 200
    invitation.contact.refresh_from_db()
    assert invitation.contact.contact_refused_at is not None


def test_an_employee_holding_the_link_neither_opens_nor_answers_it(client, qms, invitation, criteria):
    client.force_login(qms)
    page = client.get(_url(invitation, lang="en"))
    assert page.status_code == 200
    assert "You are signed in as an employee" in page.content.decode()
    assert f"/surveys/responses/new/?invitation={invitation.pk}" in page.content.decode()
    assert client.post(_url(invitation, lang="en"), _answers(criteria)).status_code == 403
    assert client.post(_url(invitation, "survey:refuse", lang="en")).status_code == 403
    invitation.refresh_from_db()
    invitation.contact.refresh_from_db()
    assert invitation.opened_at is None and invitation.state == InvitationState.SENT
    assert invitation.contact.contact_refused_at is None
    assert not Response.objects.exists()
