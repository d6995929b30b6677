"""The staff's typing in of paper, fax, phone and e-mail answers, and the printed questionnaire."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from amends.surveys.choices import InvitationChannel, InvitationState, ResponseSource
from amends.surveys.models import Answer, Invitation, Questionnaire, QuestionnaireVersion, Response
from amends.surveys.selectors import day_start
from amends.surveys.tokens import invitation_key, link_url

pytestmark = pytest.mark.django_db

NEW = reverse("surveys:response_new")


def _answers(criteria, **overrides):
    """Reliability 8×5, delivery 6×10: K = (40 + 60) / 15 = 6.6667."""
    data = {
        "source": ResponseSource.PAPER, "answered_on": timezone.localdate().isoformat(),
        f"score_{criteria['reliability'].pk}": "8", f"importance_{criteria['reliability'].pk}": "5",
        f"score_{criteria['delivery'].pk}": "6", f"importance_{criteria['delivery'].pk}": "10",
        "recommends": "yes", "continues": "no", "suggestion": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(("role", "status"), [
    (None, 302), ("operator", 403), ("responsible", 403), ("manager", 403), ("qms", 200), ("administrator", 200),
])
def test_who_types_in_answers(client, request, invitation, role, status):
    if role is not None:
        client.force_login(request.getfixturevalue(role))
    assert client.get(f"{NEW}?invitation={invitation.pk}").status_code == status
    print_page = client.get(reverse("surveys:invitation_print", args=[invitation.pk]))
    assert print_page.status_code == status


def test_an_answer_typed_in_from_the_invitation(client, qms, invitation, criteria):
    client.force_login(qms)
    page = client.get(f"{NEW}?invitation={invitation.pk}")
    assert page.status_code == 200 and str(invitation.contact) in page.content.decode()
    posted = client.post(f"{NEW}?invitation={invitation.pk}", _answers(criteria, source=ResponseSource.FAX))
    assert posted.status_code == 302
    response = Response.objects.get()
    assert (response.weighted_sum, response.importance_sum, response.k) == (100, 15, Decimal("6.6667"))
    # The message rounds 6.6667 half up, in the user's (Russian) format.
    assert "K = 6,67" in client.get(posted["Location"]).content.decode()
    assert (response.source, response.entered_by, response.invitation, response.contact) == (
        ResponseSource.FAX, qms, invitation, invitation.contact,
    )
    assert (response.recommends, response.continues) == (True, False)
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.ANSWERED
    # The same paper typed in twice: refused, nothing stored twice.
    again = client.post(f"{NEW}?invitation={invitation.pk}", _answers(criteria))
    assert again.status_code == 400
    assert Response.objects.count() == 1 and Answer.objects.count() == 2


def test_an_answer_typed_in_for_a_chosen_customer_on_an_earlier_day(client, administrator, contact, version, criteria):
    client.force_login(administrator)
    found = client.get(f"{NEW}?q=Иванов").content.decode()
    assert f"contact={contact.pk}" in found
    day = timezone.localdate() - timedelta(days=3)
    url = f"{NEW}?contact={contact.pk}&questionnaire={version.questionnaire_id}"
    posted = client.post(url, _answers(criteria, source=ResponseSource.PHONE, answered_on=day.isoformat()))
    assert posted.status_code == 302
    response = Response.objects.get()
    assert (response.contact, response.version, response.invitation) == (contact, version, None)
    assert (response.source, response.received_at) == (ResponseSource.PHONE, day_start(day))


def test_bad_input_is_shown_and_nothing_stored(client, qms, invitation, criteria):
    client.force_login(qms)
    url = f"{NEW}?invitation={invitation.pk}"
    zero = {f"importance_{criteria['reliability'].pk}": "0", f"importance_{criteria['delivery'].pk}": "0"}
    cases = [
        (zero, "no weights"),
        ({f"score_{criteria['delivery'].pk}": "12"}, "From 1 to 10."),
        ({"answered_on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "day still to come"),
        ({"source": ResponseSource.LINK}, "Select a valid choice"),
    ]
    for overrides, message in cases:
        page = client.post(url, _answers(criteria, **overrides), HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 400, message
        assert message in page.content.decode()
    assert not Response.objects.exists()


def test_an_expired_invitation_is_typed_in_without_it(client, qms, invitation, criteria):
    invitation.expires_at = timezone.now() - timedelta(days=1)
    invitation.save()
    client.force_login(qms)
    page = client.post(f"{NEW}?invitation={invitation.pk}", _answers(criteria), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400 and "has expired" in page.content.decode()
    assert not Response.objects.exists()


def test_no_answers_are_recorded_for_an_erased_customer(client, qms, contact, version, criteria):
    contact.erased_at = timezone.now()
    contact.save()
    client.force_login(qms)
    url = f"{NEW}?contact={contact.pk}&questionnaire={version.questionnaire_id}"
    page = client.post(url, _answers(criteria), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "personal data was erased" in page.content.decode()
    assert not Response.objects.exists()


def test_the_printed_questionnaire_in_the_customers_language_with_the_link(client, qms, campaign, contact, criteria):
    invitation = Invitation.objects.create(
        campaign=campaign, contact=contact, key=invitation_key(), language="en", channel=InvitationChannel.PAPER,
    )
    client.force_login(qms)
    page = client.get(reverse("surveys:invitation_print", args=[invitation.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Customer satisfaction" in text and "Staff courtesy" in text and "Would you recommend us?" in text
    assert link_url(invitation.key) in text and contact.full_name in text


def test_no_questionnaire_is_printed_for_a_customer_who_refused(client, qms, invitation):
    contact = invitation.contact
    contact.contact_refused_at = timezone.now()
    contact.save()
    client.force_login(qms)
    page = client.get(reverse("surveys:invitation_print", args=[invitation.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 409 and "asked not to be contacted" in page.content.decode()


def test_the_questionnaire_is_chosen_among_the_active_published_ones(client, qms, contact, version, criteria):
    other = Questionnaire.objects.create(name="Дилеры", name_en="Dealers")
    QuestionnaireVersion.objects.create(questionnaire=other, number=1, published_at=timezone.now())
    retired = Questionnaire.objects.create(name="Старая анкета", is_active=False)
    QuestionnaireVersion.objects.create(questionnaire=retired, number=1, published_at=timezone.now())
    draft_only = Questionnaire.objects.create(name="Черновик")
    QuestionnaireVersion.objects.create(questionnaire=draft_only, number=1)
    client.force_login(qms)
    page = client.get(f"{NEW}?contact={contact.pk}").content.decode()
    assert 'name="questionnaire"' in page and "Дилеры" in page and "Удовлетворённость клиентов" in page
    assert "Старая анкета" not in page and "Черновик" not in page
    assert f'name="score_{criteria["reliability"].pk}"' not in page
    chosen = client.get(f"{NEW}?contact={contact.pk}&questionnaire={version.questionnaire_id}").content.decode()
    assert f'name="score_{criteria["reliability"].pk}"' in chosen
