"""A questionnaire typed in through the API: recorded through the one recording, K computed as the seeds
compute it (worked out by hand here), every bad input refused with its message and nothing stored, a
retry with the same Idempotency-Key stored once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from amends.customers.models import Product
from amends.customers.services import contact_create
from amends.surveys.choices import InvitationState
from amends.surveys.models import Answer, Criterion, QuestionnaireVersion, Response
from amends.surveys.tests import conftest as surveys_fixtures

pytestmark = pytest.mark.django_db

# The surveys' fixtures, where pytest finds them.
version, criteria = surveys_fixtures.version, surveys_fixtures.criteria
campaign, invitation = surveys_fixtures.campaign, surveys_fixtures.invitation

RESPONSES = "/api/v1/surveys/responses/"


def ratings(criteria, *rows) -> list[dict]:
    """(key, score, importance) rows as the API takes them."""
    return [{"criterion": criteria[key].pk, "score": score, "importance": importance}
            for key, score, importance in rows]


@pytest.fixture
def body(criteria, contact, version):
    """Reliability 9 × 10, delivery 6 × 5, courtesy 10 × 0, handling 7 × 5: Σ importance 20, weights 50, 25,
    0 and 25 per cent, k 4.5, 1.5, 0 and 1.75, K = 7.75."""
    return {
        "contact": contact.pk, "version": version.pk, "source": "paper",
        "received_at": (timezone.now() - timedelta(days=2)).isoformat(),
        "ratings": ratings(criteria, ("reliability", 9, 10), ("delivery", 6, 5), ("courtesy", 10, 0),
                           ("handling", 7, 5)),
        "recommends": False, "continues": True, "suggestion": "  Звоните заранее.  ",
    }


def test_a_paper_answer_typed_in_is_recorded_with_the_seeds_table(api, qms, body, contact, criteria):
    response = api(qms).post(RESPONSES, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    stored = Response.objects.get()
    assert data["id"] == stored.pk and stored.entered_by == qms and stored.source == "paper"
    assert data["contact"]["id"] == contact.pk and data["entered_by"]["id"] == qms.pk
    assert data["k"] == "7.7500" and data["band"] == "medium" and data["below_threshold"] is True
    assert (data["weighted_sum"], data["importance_sum"]) == (155, 20)  # 90 + 30 + 0 + 35
    assert data["recommends"] is False and data["continues"] is True and data["suggestion"] == "Звоните заранее."
    table = [(part["criterion"]["key"], part["score"], part["importance"], part["weight"], part["k"])
             for part in data["parts"]]
    assert table == [
        ("reliability", 9, 10, "50.0000", "4.5000"), ("delivery", 6, 5, "25.0000", "1.5000"),
        ("courtesy", 10, 0, "0.0000", "0.0000"), ("handling", 7, 5, "25.0000", "1.7500"),
    ]
    assert sum(Decimal(part["k"]) for part in data["parts"]) == Decimal("7.75")
    assert [part["score_band"] for part in data["parts"]] == ["high", "medium", "high", "medium"]
    assert [part["importance_band"] for part in data["parts"]] == ["high", "medium", "low", "medium"]
    assert Answer.objects.filter(response=stored).count() == 4
    assert api(qms).get(f"{RESPONSES}{stored.pk}/").json() == data


def test_k_of_exactly_8_is_not_below_the_threshold(api, administrator, body, criteria):
    """8 × 1, 8 × 2, 8 × 3, 8 × 4: weights 10, 20, 30, 40; k 0.8, 1.6, 2.4, 3.2; K = 8 exactly."""
    body["ratings"] = ratings(criteria, ("reliability", 8, 1), ("delivery", 8, 2), ("courtesy", 8, 3),
                              ("handling", 8, 4))
    data = api(administrator).post(RESPONSES, body, format="json").json()
    assert data["k"] == "8.0000" and data["below_threshold"] is False and data["band"] == "high"
    assert [(part["weight"], part["k"]) for part in data["parts"]] == [
        ("10.0000", "0.8000"), ("20.0000", "1.6000"), ("30.0000", "2.4000"), ("40.0000", "3.2000"),
    ]


def test_equal_importances_give_the_plain_mean_and_a_blank_criterion_is_left_out(api, qms, body, criteria):
    """10, 9 and 7, each of importance 3, handling left blank: weights 100/3 per cent, K = 26/3 = 8.6667."""
    body["ratings"] = ratings(criteria, ("reliability", 10, 3), ("delivery", 9, 3), ("courtesy", 7, 3))
    data = api(qms).post(RESPONSES, body, format="json").json()
    assert data["k"] == "8.6667" and data["below_threshold"] is False
    assert [(part["weight"], part["k"]) for part in data["parts"]] == [
        ("33.3333", "3.3333"), ("33.3333", "3.0000"), ("33.3333", "2.3333"),
    ]
    assert [part["criterion"]["key"] for part in data["parts"]] == ["reliability", "delivery", "courtesy"]


def test_the_answer_to_an_invitation_takes_its_customer_and_version_and_closes_it(api, qms, invitation, criteria):
    body = {"invitation": invitation.pk, "source": "fax", "ratings": ratings(criteria, ("delivery", 4, 7))}
    data = api(qms).post(RESPONSES, body, format="json").json()
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.ANSWERED
    assert data["invitation"] == invitation.pk and data["campaign"] == invitation.campaign_id
    assert data["contact"]["id"] == invitation.contact_id and data["language"] == "ru" and data["k"] == "4.0000"


def test_an_answered_or_expired_invitation_is_409_and_nothing_is_stored_twice(api, qms, invitation, criteria):
    body = {"invitation": invitation.pk, "source": "phone", "ratings": ratings(criteria, ("delivery", 4, 7))}
    assert api(qms).post(RESPONSES, body, format="json").status_code == 201
    again = api(qms).post(RESPONSES, body, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invitation_answered"
    assert again.json()["detail"] == "This invitation was answered already: nothing was stored."
    assert Response.objects.count() == 1

    other = type(invitation).objects.create(
        campaign=invitation.campaign, contact=_another_contact(), key="expired-key", language="en",
        channel="email", state=InvitationState.SENT, expires_at=timezone.now() - timedelta(minutes=1),
    )
    expired = api(qms).post(RESPONSES, {**body, "invitation": other.pk}, format="json")
    assert expired.status_code == 409 and expired.json()["code"] == "invitation_expired"
    assert Response.objects.count() == 1


def _another_contact():
    return contact_create(full_name="Петров Пётр", email="petrov@example.ru")


def test_a_retry_with_the_same_idempotency_key_is_stored_once(api, qms, body):
    client = api(qms)
    first = client.post(RESPONSES, body, format="json", HTTP_IDEMPOTENCY_KEY="paper-17")
    retry = client.post(RESPONSES, body, format="json", HTTP_IDEMPOTENCY_KEY="paper-17")
    assert first.status_code == retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json() and Response.objects.count() == 1
    changed = client.post(RESPONSES, {**body, "suggestion": "другое"}, format="json", HTTP_IDEMPOTENCY_KEY="paper-17")
    assert changed.status_code == 422 and Response.objects.count() == 1
    # A refused request keeps no key: corrected, it goes through.
    bad = client.post(RESPONSES, {**body, "source": "link"}, format="json", HTTP_IDEMPOTENCY_KEY="paper-18")
    assert bad.status_code == 400
    assert client.post(RESPONSES, body, format="json", HTTP_IDEMPOTENCY_KEY="paper-18").status_code == 201


def _draft(version) -> Criterion:
    draft = QuestionnaireVersion.objects.create(questionnaire=version.questionnaire, number=2)
    return Criterion.objects.create(version=draft, key="reliability", name="Надёжность")


def _erase(contact):
    contact.erased_at = timezone.now()
    contact.save()


@pytest.mark.parametrize("change, field, message", [
    (lambda body, c, v: body["ratings"][0].update(score=11), "ratings", "A score is from 1 to 10."),
    (lambda body, c, v: body["ratings"][0].update(score=0), "ratings", "A score is from 1 to 10."),
    (lambda body, c, v: body["ratings"][1].update(importance=11), "ratings", "An importance is from 0 to 10."),
    (lambda body, c, v: body["ratings"][1].update(importance=-1), "ratings", "An importance is from 0 to 10."),
    (lambda body, c, v: [rating.update(importance=0) for rating in body["ratings"]], "ratings",
     "Give at least one criterion an importance above 0: with no importance there are no weights and no "
     "coefficient."),
    (lambda body, c, v: body.update(ratings=[]), "ratings", "This list may not be empty."),
    (lambda body, c, v: body["ratings"].append(dict(body["ratings"][0])), "ratings",
     "Criterion {reliability} is rated twice."),
    (lambda body, c, v: body["ratings"][0].update(criterion=_draft(v).pk), "ratings",
     "Criterion {draft} is not in this questionnaire version."),
    (lambda body, c, v: body.update(version=_draft(v).version_id), "version",
     "This version is a draft: answers are given on published versions."),
    (lambda body, c, v: body.update(version=None), "version", "Say which questionnaire version was answered."),
    (lambda body, c, v: body.update(contact=None), "contact", "Say whose answers these are."),
    (lambda body, c, v: _erase(c), "contact",
     "This customer's personal data was erased: no answers are recorded for them."),
    (lambda body, c, v: body.update(source="link"), "source", '"link" is not a valid choice.'),
    (lambda body, c, v: body.update(received_at=(timezone.now() + timedelta(hours=1)).isoformat()), "received_at",
     "Give the moment the customer answered: not in the future."),
    (lambda body, c, v: body.update(complaint="2026-000999"), "complaint",
     "The customer has no complaint 2026-000999."),
    (lambda body, c, v: body["ratings"][0].update(score="9"), "ratings", "A valid integer is required."),
    (lambda body, c, v: body.update(recommends="no"), "recommends", "Must be a valid boolean."),
])
def test_bad_input_is_400_with_the_message_and_nothing_is_stored(api, qms, body, contact, version, change, field,
                                                                 message):
    change(body, contact, version)
    response = api(qms).post(RESPONSES, body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert field in errors
    text = str(errors[field])
    expected = message.format(reliability=body["ratings"][0]["criterion"] if body["ratings"] else "",
                              draft=body["ratings"][0]["criterion"] if body["ratings"] else "")
    assert expected in text, text
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_the_invitation_and_the_body_must_agree(api, qms, invitation, criteria, version):
    base = {"invitation": invitation.pk, "source": "paper", "ratings": ratings(criteria, ("delivery", 4, 7))}
    other = api(qms).post(RESPONSES, {**base, "contact": _another_contact().pk}, format="json")
    assert other.status_code == 400 and other.json()["errors"]["contact"] == [
        "The invitation was sent to another customer."]
    draft = _draft(version).version
    wrong = api(qms).post(RESPONSES, {**base, "version": draft.pk}, format="json")
    assert wrong.status_code == 400 and wrong.json()["errors"]["version"] == ["The invitation sent another version."]
    assert not Response.objects.exists()


def test_a_customer_who_asked_not_to_be_contacted_may_still_send_answers(api, qms, body, contact):
    """They are sent nothing; answers they sent back themselves are recorded."""
    contact.contact_refused_at = timezone.now()
    contact.save()
    assert api(qms).post(RESPONSES, body, format="json").status_code == 201


def test_the_card_followed_gives_the_product_segment(api, qms, body, complaint):
    product = Product.objects.create(name="Котёл", name_en="Boiler")
    type(complaint).objects.filter(pk=complaint.pk).update(product=product)
    data = api(qms).post(RESPONSES, {**body, "complaint": complaint.number}, format="json").json()
    assert data["complaint"] == complaint.number and data["product"] == {"id": product.pk, "name": "Boiler"}


def test_who_types_answers_in(api, body, manager, operator, responsible, qms, administrator):
    for user in (manager, operator, responsible):
        response = api(user).post(RESPONSES, body, format="json")
        assert response.status_code == 403, user
    assert api().post(RESPONSES, body, format="json").status_code == 401
    assert not Response.objects.exists()
    assert api(administrator).post(RESPONSES, body, format="json").status_code == 201
