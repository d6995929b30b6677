"""The campaigns' pages: who opens them, the new campaign's preview and creation, one campaign's
figures, start and close; bad input gives a message, never an error page."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from amends.complaints.choices import Channel
from amends.complaints.services import complaint_register
from amends.customers.models import Organisation, OrganisationKind
from amends.customers.services import contact_create
from amends.surveys.campaigns import campaign_create
from amends.surveys.choices import CampaignKind, CampaignState, InvitationState
from amends.surveys.models import Campaign, Invitation
from amends.surveys.recording import response_record
from amends.surveys.scoring import Rating

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def customers(operator):
    """Three customers with a card: two of a state body (one of them refused), one private by phone."""
    state_body = Organisation.objects.create(name="Минводхоз", kind=OrganisationKind.STATE, region="Ереван")
    made = {
        "official": contact_create(full_name="Official", email="official@example.ru", organisation=state_body),
        "refused": contact_create(full_name="Refused", email="refused@example.ru", organisation=state_body),
        "private": contact_create(full_name="Private", phone="+7 912 000-00-00"),
    }
    made["refused"].contact_refused_at = timezone.now()
    made["refused"].save()
    for contact in made.values():
        complaint_register(actor=operator, channel=Channel.EMAIL, contact=contact, wording=f"Жалоба {contact}",
                           duplicates="caller")
    return made


@pytest.mark.parametrize(("role", "read", "run"), [
    ("qms", 200, 200), ("administrator", 200, 200), ("manager", 200, 403), ("responsible", 403, 403),
    ("operator", 403, 403),
])
def test_who_opens_the_campaigns_pages(request, role, read, run, campaign):
    client = client_for(request.getfixturevalue(role))
    assert client.get(reverse("surveys:campaigns")).status_code == read
    assert client.get(reverse("surveys:campaign", args=[campaign.pk])).status_code == read
    assert client.get(reverse("surveys:campaign_new")).status_code == run
    start = client.post(reverse("surveys:campaign_start", args=[campaign.pk]))
    assert start.status_code == (302 if run == 200 else 403)
    close = client.post(reverse("surveys:campaign_close", args=[campaign.pk]))
    assert close.status_code == (302 if run == 200 else 403)


def test_the_anonymous_are_sent_to_sign_in(campaign):
    response = Client().get(reverse("surveys:campaign", args=[campaign.pk]))
    assert response.status_code == 302 and "/login" in response["Location"]
    assert Client().get(reverse("surveys:campaign", args=[campaign.pk + 100])).status_code == 302


def test_the_preview_says_who_gets_it_and_creating_makes_the_draft(qms, version, customers):
    client = client_for(qms)
    form = {"kind": CampaignKind.MANUAL, "questionnaire": version.questionnaire_id, "name": "Госорганы",
            "organisation_kind": OrganisationKind.STATE}
    page = client.post(reverse("surveys:campaign_new"), {**form, "preview": ""})
    html = page.content.decode()
    assert page.status_code == 200 and not Campaign.objects.exists()
    assert "1 customer will get the questionnaire by e-mail or messenger" in html
    assert "Not sent — Asked not to be contacted: 1" in html
    created = client.post(reverse("surveys:campaign_new"), {**form, "create": ""})
    campaign = Campaign.objects.get()
    assert created["Location"] == reverse("surveys:campaign", args=[campaign.pk])
    assert (campaign.state, campaign.name, campaign.created_by) == (CampaignState.DRAFT, "Госорганы", qms)
    assert dict(campaign.invitations.values_list("contact__full_name", "state")) == {
        "Official": InvitationState.PENDING, "Refused": InvitationState.NOT_SENT,
    }


def test_an_empty_audience_a_missing_questionnaire_and_a_period_started_twice_are_told(qms, version, customers):
    client = client_for(qms)
    empty = client.post(reverse("surveys:campaign_new"), {
        "kind": CampaignKind.MANUAL, "questionnaire": version.questionnaire_id, "region": "Nowhere", "preview": "",
    })
    assert empty.status_code == 200 and "No customer matches" in empty.content.decode()
    missing = client.post(reverse("surveys:campaign_new"), {"kind": CampaignKind.MANUAL, "create": ""})
    assert missing.status_code == 200 and "This field is required." in missing.content.decode()
    form = {"kind": CampaignKind.SEMIANNUAL, "questionnaire": version.questionnaire_id, "create": ""}
    client.post(reverse("surveys:campaign_new"), form)
    again = client.post(reverse("surveys:campaign_new"), form)
    assert again.status_code == 200 and "has been started already" in again.content.decode()
    assert Campaign.objects.count() == 1
    assert set(Campaign.objects.get().invitations.values_list("contact__full_name", flat=True)) == {
        "Official", "Refused", "Private",
    }


def test_the_campaign_page_shows_the_counts_the_rate_k_so_far_and_whom_to_ask(
    qms, version, criteria, customers, contact,
):
    campaign = campaign_create(kind=CampaignKind.MANUAL, version=version, contacts=[*customers.values(), contact])
    official = campaign.invitations.get(contact=customers["official"])
    # K = (9×6 + 6×4) / 10 = 7.8 — below 8; and one answer from another campaign that must not count.
    response_record(version=version, ratings={criteria["reliability"].pk: Rating(9, 6),
                                              criteria["delivery"].pk: Rating(6, 4)},
                    source="link", language="ru", invitation=official, recommends=False)
    other = campaign_create(kind=CampaignKind.MANUAL, version=version, contacts=[customers["official"]])
    response_record(version=version, ratings={criteria["reliability"].pk: Rating(2, 5)}, source="link",
                    language="ru", invitation=other.invitations.get())
    html = client_for(qms).get(reverse("surveys:campaign", args=[campaign.pk])).content.decode()
    # 4 invitations: answered 1, pending 1 (the shared contact), not sent 2 (refused; private: no e-mail);
    # asked = 4 − 1 refused = 3 (the private customer is asked by phone) → 33.3 %.
    assert "33.3 % (1 / 3)" in html
    assert "7.80" in html and "Would not recommend us" in html
    assert "To ask by post, fax or phone (1)" in html and "+7 912 000-00-00" in html
    assert 'href="/surveys/campaigns/"' in html  # the surveys' navigation


def test_start_and_close_from_the_page_and_a_second_start_is_a_message(qms, version, customers):
    campaign = campaign_create(kind=CampaignKind.MANUAL, version=version, contacts=customers.values())
    client = client_for(qms)
    client.post(reverse("surveys:campaign_start", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.SENDING
    again = client.post(reverse("surveys:campaign_start", args=[campaign.pk]), follow=True)
    assert again.status_code == 200 and "Only a draft campaign can be started." in again.content.decode()
    client.post(reverse("surveys:campaign_close", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.CLOSED
    assert Invitation.objects.filter(campaign=campaign, state=InvitationState.EXPIRED).count() == 2
    assert client.get(reverse("surveys:campaign_start", args=[campaign.pk])).status_code == 405
    assert client.get(reverse("surveys:campaign", args=[999999])).status_code == 404
