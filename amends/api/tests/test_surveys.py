"""The surveys read through the API: questionnaires, campaigns with their counts, the responses and their
filters, K and the norms of a period and segment. The figures are worked out by hand here and checked
against SQL written in the test, on responses of known K with others, in other periods and segments,
that must not count."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from amends.complaints.choices import Channel
from amends.complaints.services import complaint_register
from amends.customers.models import Contact, Organisation, OrganisationKind, Product
from amends.surveys.choices import CampaignKind, CampaignState, InvitationState, NotSentReason
from amends.surveys.models import Campaign, Criterion, Invitation, Questionnaire, QuestionnaireVersion
from amends.surveys.recording import response_record
from amends.surveys.scoring import Rating
from amends.surveys.tests import conftest as surveys_fixtures

pytestmark = pytest.mark.django_db

# The surveys' fixtures, where pytest finds them.
version, criteria = surveys_fixtures.version, surveys_fixtures.criteria
campaign, invitation = surveys_fixtures.campaign, surveys_fixtures.invitation

API = "/api/v1/surveys/"
QUESTIONNAIRES, CAMPAIGNS, RESPONSES, K = f"{API}questionnaires/", f"{API}campaigns/", f"{API}responses/", f"{API}k/"
Q3 = {"start": "2026-07-01", "end": "2026-09-30"}


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def answer(version, contact, at, scores, *, source="paper", recommends=None, continues=None, complaint=None,
           invitation=None):
    """A response through the one recording; `scores` are (score, importance) in the criteria's order."""
    criteria = list(version.criteria.order_by("order"))
    return response_record(
        version=version, ratings={criteria[n].pk: Rating(*pair) for n, pair in enumerate(scores)}, source=source,
        language="ru", contact=contact, complaint=complaint, invitation=invitation, recommends=recommends,
        continues=continues, received_at=at,
    )


@pytest.fixture
def product(db):
    return Product.objects.create(name="Котёл", name_en="Boiler")


@pytest.fixture
def answered(version, operator, product):
    """Q3 2026: r1 K 7.75 (commercial, Yerevan), r2 K 8 exactly (commercial, the product's card), r3 K 26/3
    and r4 K 5 (state, the customers' region Gyumri); r5 the second before Q3 and r6 the first after it."""
    commercial = Organisation.objects.create(name="Ромашка", kind=OrganisationKind.COMMERCIAL, region="Yerevan")
    state = Organisation.objects.create(name="Горводоканал", kind=OrganisationKind.STATE)
    c1 = Contact.objects.create(full_name="Первый", organisation=commercial)
    c2 = Contact.objects.create(full_name="Второй", organisation=commercial, region="Gyumri")
    c3 = Contact.objects.create(full_name="Третий", organisation=state, region="Gyumri")
    c4 = Contact.objects.create(full_name="Четвёртый", organisation=state, region="Gyumri")
    card = complaint_register(actor=operator, channel=Channel.PHONE, contact=c2, wording="Котёл шумит.")
    type(card).objects.filter(pk=card.pk).update(product=product)
    card.refresh_from_db()
    return {
        "r1": answer(version, c1, local(2026, 7, 1), [(9, 10), (6, 5), (10, 0), (7, 5)],
                     recommends=False, continues=True),
        "r2": answer(version, c2, local(2026, 8, 15, 12), [(8, 1), (8, 2), (8, 3), (8, 4)], source="email",
                     recommends=True, continues=False, complaint=card),
        "r3": answer(version, c3, local(2026, 9, 30, 23, 59, 59), [(10, 3), (9, 3), (7, 3)], source="phone",
                     continues=True),
        "r4": answer(version, c4, local(2026, 9, 1, 9), [(5, 1), (5, 1), (5, 1), (5, 1)],
                     recommends=False, continues=False),
        "r5": answer(version, c1, local(2026, 6, 30, 23, 59, 59), [(2, 5)], source="fax", recommends=False),
        "r6": answer(version, c1, local(2026, 10, 1), [(1, 5)], recommends=False),
        "contacts": (c1, c2, c3, c4), "card": card,
    }


def ids(body) -> list[int]:
    return [row["id"] for row in body["results"]]


def sql_figures(start: datetime, end: datetime) -> tuple:
    """Count, mean K, not recommending of answered, leaving of answered: independent of the selectors."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), AVG(k), SUM(CASE WHEN recommends = %s THEN 1 ELSE 0 END), COUNT(recommends), "
            "SUM(CASE WHEN continues = %s THEN 1 ELSE 0 END), COUNT(continues) "
            "FROM surveys_response WHERE received_at >= %s AND received_at < %s",
            [False, False, *map(connection.ops.adapt_datetimefield_value, (start, end))],
        )
        return cursor.fetchone()


def test_k_and_the_norms_of_a_quarter(api, manager, answered):
    body = api(manager).get(K, Q3).json()
    # (7.75 + 8 + 8.6667 + 5) / 4 = 7.354175; r5 and r6, a second outside the quarter, do not count.
    assert (body["responses"], body["k"], body["k_below_threshold"], body["below_threshold"]) == (4, "7.35", True, 2)
    assert body["not_recommending"] == {"norm": 20, "answered": 3, "count": 2, "share": "66.7", "breached": True}
    assert body["leaving"] == {"norm": 30, "answered": 4, "count": 2, "share": "50.0", "breached": True}
    assert (body["start"], body["end"], body["threshold"]) == ("2026-07-01", "2026-09-30", "8.00")
    assert body["segment"] == {"organisation_kind": None, "region": None, "product": None}
    assert (body["min_answers"], body["enough_answers"], body["message"]) == (10, False, None)
    count, mean, refusing, asked, leaving, asked_continue = sql_figures(local(2026, 7, 1), local(2026, 10, 1))
    assert (count, refusing, asked, leaving, asked_continue) == (4, 2, 3, 2, 4)
    assert Decimal(str(mean)).quantize(Decimal("0.01")) == Decimal(body["k"])


def test_k_and_the_norms_of_a_segment(api, qms, answered, product):
    commercial = api(qms).get(K, {**Q3, "organisation_kind": "commercial"}).json()
    assert (commercial["responses"], commercial["k"], commercial["below_threshold"]) == (2, "7.88", 1)  # 7.875
    assert commercial["not_recommending"]["share"] == "50.0" and commercial["leaving"]["share"] == "50.0"
    assert commercial["segment"]["organisation_kind"] == "commercial"
    # r2's customer lives in Gyumri, but their organisation's region (Yerevan) is theirs.
    gyumri = api(qms).get(K, {**Q3, "region": "Gyumri"}).json()
    assert (gyumri["responses"], gyumri["k"]) == (2, "6.83")  # (8.6667 + 5) / 2
    assert gyumri["not_recommending"] == {"norm": 20, "answered": 1, "count": 1, "share": "100.0", "breached": True}
    by_product = api(qms).get(K, {**Q3, "product": product.pk}).json()
    # K = 8 exactly is not below 8; nobody refusing to recommend is within the norm.
    assert (by_product["responses"], by_product["k"], by_product["k_below_threshold"]) == (1, "8.00", False)
    assert by_product["not_recommending"] == {"norm": 20, "answered": 1, "count": 0, "share": "0.0", "breached": False}
    assert by_product["leaving"]["breached"] is True
    assert by_product["segment"]["product"] == {"id": product.pk, "name": "Boiler"}


def test_the_norms_are_compared_exactly(api, qms, version, contact):
    """2 in 10 not recommending and 3 in 10 leaving are at the norms, not over; one more breaks both."""
    for n in range(10):
        answer(version, contact, local(2026, 4, n + 1), [(8, 5)], recommends=n >= 2, continues=n >= 3)
    april = {"start": "2026-04-01", "end": "2026-04-30"}
    body = api(qms).get(K, april).json()
    assert body["not_recommending"] == {"norm": 20, "answered": 10, "count": 2, "share": "20.0", "breached": False}
    assert body["leaving"] == {"norm": 30, "answered": 10, "count": 3, "share": "30.0", "breached": False}
    assert body["enough_answers"] is True
    answer(version, contact, local(2026, 4, 30, 23), [(8, 5)], recommends=False, continues=False)
    body = api(qms).get(K, april).json()
    assert body["not_recommending"]["share"] == "27.3" and body["not_recommending"]["breached"] is True
    assert body["leaving"]["share"] == "36.4" and body["leaving"]["breached"] is True


def test_an_empty_period_says_so(api, qms, answered):
    body = api(qms).get(K, {**Q3, "region": "Nowhere"}).json()
    assert (body["responses"], body["k"], body["k_below_threshold"]) == (0, None, False)
    assert body["message"] == "No answers in this period and segment."
    assert body["not_recommending"] == {"norm": 20, "answered": 0, "count": 0, "share": None, "breached": False}


def test_the_default_period_is_the_current_quarter_to_today(api, qms, version, contact):
    today = timezone.localdate()
    quarter = datetime(today.year, 3 * ((today.month - 1) // 3) + 1, 1).date()
    answer(version, contact, timezone.now(), [(6, 5)])
    body = api(qms).get(K).json()
    assert (body["start"], body["end"], body["responses"], body["k"]) == (
        quarter.isoformat(), today.isoformat(), 1, "6.00")
    assert api(qms).get(K, {"end": "2026-05-20"}).json()["start"] == "2026-04-01"


@pytest.mark.parametrize("query, field", [
    ({"start": "2026-10-01", "end": "2026-09-30"}, "end"), ({"start": "2026-02-30"}, "start"),
    ({"organisation_kind": "family"}, "organisation_kind"), ({"product": "999999"}, "product"),
    ({"region": ""}, "region"),
])
def test_a_bad_period_or_segment_is_400(api, qms, query, field):
    response = api(qms).get(K, query)
    assert response.status_code == 400 and field in response.json()["errors"]


def test_the_responses_filtered(api, manager, answered, invitation, version):
    r = answered
    r7 = answer(version, invitation.contact, local(2026, 5, 1), [(3, 4)], invitation=invitation)
    client = api(manager)
    assert ids(client.get(RESPONSES).json()) == [r[n].pk for n in ("r6", "r3", "r4", "r2", "r1", "r5")] + [r7.pk]
    assert ids(client.get(RESPONSES, Q3).json()) == [r[n].pk for n in ("r3", "r4", "r2", "r1")]
    assert ids(client.get(RESPONSES, {"source": "paper"}).json()) == [r["r6"].pk, r["r4"].pk, r["r1"].pk, r7.pk]
    assert ids(client.get(RESPONSES, {"contact": r["contacts"][0].pk}).json()) == [r[n].pk for n in ("r6", "r1", "r5")]
    assert ids(client.get(RESPONSES, {**Q3, "below_threshold": "true"}).json()) == [r["r4"].pk, r["r1"].pk]
    assert ids(client.get(RESPONSES, {**Q3, "below_threshold": "false"}).json()) == [r["r3"].pk, r["r2"].pk]
    assert ids(client.get(RESPONSES, {**Q3, "recommends": "false"}).json()) == [r["r4"].pk, r["r1"].pk]
    assert ids(client.get(RESPONSES, {"campaign": invitation.campaign_id}).json()) == [r7.pk]
    assert ids(client.get(RESPONSES, {"organisation_kind": "state"}).json()) == [r["r3"].pk, r["r4"].pk]
    item = client.get(RESPONSES, {"campaign": invitation.campaign_id}).json()["results"][0]
    assert (item["campaign"], item["invitation"], item["k"], item["band"], item["below_threshold"]) == (
        invitation.campaign_id, invitation.pk, "3.0000", "low", True)
    r2 = client.get(RESPONSES, {"source": "email"}).json()["results"][0]
    assert (r2["complaint"], r2["k"], r2["below_threshold"], r2["organisation_kind"], r2["region"]) == (
        r["card"].number, "8.0000", False, "commercial", "Yerevan")


@pytest.mark.parametrize("query", [
    {"source": "carrier-pigeon"}, {"start": "2026-10-01", "end": "2026-09-30"}, {"below_threshold": "maybe"},
    {"contact": "999999"}, {"campaign": "0"}, {"recommends": ""},
])
def test_a_bad_response_filter_is_400(api, qms, query):
    assert api(qms).get(RESPONSES, query).status_code == 400


def test_the_responses_list_costs_the_same_queries_whatever_its_length(api, qms, answered,
                                                                      django_assert_max_num_queries):
    client = api(qms)
    client.get(RESPONSES)
    with django_assert_max_num_queries(8):
        assert len(client.get(RESPONSES).json()["results"]) == 6
    assert client.get(RESPONSES, {"page": "9"}).status_code == 404


def test_a_campaign_counted_by_state_and_by_why_not_sent(api, manager, campaign, invitation, version):
    def invite(name: str, state: str, reason: str = "") -> Invitation:
        customer = Contact.objects.create(full_name=name)
        return Invitation.objects.create(campaign=campaign, contact=customer, key=name, language="ru",
                                         channel="email", state=state, not_sent_reason=reason)

    invite("erased", InvitationState.NOT_SENT, NotSentReason.ERASED)
    invite("refused-1", InvitationState.NOT_SENT, NotSentReason.REFUSED)
    invite("refused-2", InvitationState.NOT_SENT, NotSentReason.REFUSED)
    invite("pending", InvitationState.PENDING)
    invite("expired", InvitationState.EXPIRED)
    answer(version, invitation.contact, local(2026, 5, 1), [(9, 4), (7, 4)], invitation=invitation,
           recommends=False)
    other = Campaign.objects.create(kind=CampaignKind.SEMIANNUAL, version=version, period="2026-H1",
                                    state=CampaignState.SENT)
    body = api(manager).get(f"{CAMPAIGNS}{campaign.pk}/").json()
    assert body["by_state"] == {"pending": 1, "sent": 0, "failed": 0, "not_sent": 3, "answered": 1, "expired": 1}
    assert body["not_sent"] == {"erased": 1, "refused": 2, "no_address": 0}
    assert (body["invitations"], body["answered"], body["kind"], body["state"]) == (6, 1, "manual", "draft")
    assert body["figures"]["responses"] == 1 and body["figures"]["k"] == "8.00"  # (36 + 28) / 8
    assert body["figures"]["not_recommending"]["count"] == 1
    assert body["version"]["id"] == version.pk and body["name"] == "Test campaign"
    listed = api(manager).get(CAMPAIGNS).json()
    assert ids(listed) == [other.pk, campaign.pk] and listed["results"][1]["invitations"] == 6
    assert ids(api(manager).get(CAMPAIGNS, {"kind": "semiannual"}).json()) == [other.pk]
    assert ids(api(manager).get(CAMPAIGNS, {"state": "draft"}).json()) == [campaign.pk]
    assert api(manager).get(CAMPAIGNS, {"state": "lost"}).status_code == 400
    assert api(manager).get(f"{CAMPAIGNS}999999/").status_code == 404


def test_the_questionnaires_with_their_versions_and_criteria(api, qms, version):
    draft = QuestionnaireVersion.objects.create(questionnaire=version.questionnaire, number=2, intro="Вступление",
                                                intro_en="Welcome")
    Criterion.objects.create(version=draft, key="price", name="Цена", name_en="Price", question_en="Is it fair?")
    idle = Questionnaire.objects.create(name="Старая", name_en="Old", is_active=False)
    ours = {idle.pk, version.questionnaire_id}  # the default questionnaire (a data migration) is listed too
    listed = [row for row in api(qms).get(QUESTIONNAIRES).json() if row["id"] in ours]
    assert [(row["id"], row["name"], row["is_active"], row["current_version"]) for row in listed] == [
        (idle.pk, "Old", False, None), (version.questionnaire_id, "Customer satisfaction", True, version.pk),
    ]
    assert [(row["number"], row["published_at"] is None) for row in listed[1]["versions"]] == [(2, True), (1, False)]
    body = api(qms).get(f"{QUESTIONNAIRES}{version.questionnaire_id}/").json()
    newest, first = body["versions"]
    assert (newest["intro"], [(c["key"], c["name"], c["question"]) for c in newest["criteria"]]) == (
        "Welcome", [("price", "Price", "Is it fair?")])
    assert [c["name"] for c in first["criteria"]] == [
        "Equipment reliability", "Delivery times", "Staff courtesy", "Speed of complaint handling"]
    russian = api(qms).get(f"{QUESTIONNAIRES}{version.questionnaire_id}/", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert russian["versions"][1]["criteria"][0]["name"] == "Надёжность оборудования"
    assert api(qms).get(f"{QUESTIONNAIRES}999999/").status_code == 404


READS = [QUESTIONNAIRES, CAMPAIGNS, RESPONSES, K]


@pytest.mark.parametrize("path", READS)
def test_who_reads_the_surveys(api, path, manager, qms, administrator, operator, responsible, executor):
    for user in (manager, qms, administrator):
        assert api(user).get(path).status_code == 200, user
    for user in (operator, responsible, executor):
        assert api(user).get(path).status_code == 403, user
    assert api().get(path).status_code == 401


def test_who_reads_one_questionnaire_campaign_and_response(api, campaign, invitation, version, manager, operator):
    response = answer(version, invitation.contact, local(2026, 5, 1), [(9, 4)], invitation=invitation)
    for path in (f"{QUESTIONNAIRES}{version.questionnaire_id}/", f"{CAMPAIGNS}{campaign.pk}/",
                 f"{RESPONSES}{response.pk}/"):
        assert api(manager).get(path).status_code == 200
        assert api(operator).get(path).status_code == 403
        assert api().get(path).status_code == 401


def test_the_surveys_are_in_the_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en").json()
    paths = schema["paths"]
    for path in ("questionnaires/", "questionnaires/{questionnaire_id}/", "campaigns/", "campaigns/{campaign_id}/",
                 "responses/", "responses/{response_id}/", "k/"):
        assert "get" in paths[f"{API}{path}"], path
    create = paths[RESPONSES]["post"]
    assert {"201", "400", "403", "409", "422"} <= set(create["responses"])
    assert [parameter["name"] for parameter in create["parameters"]] == ["Idempotency-Key"]
    rating = schema["components"]["schemas"]["RatingInput"]["properties"]
    assert (rating["score"]["minimum"], rating["score"]["maximum"]) == (1, 10)
    assert (rating["importance"]["minimum"], rating["importance"]["maximum"]) == (0, 10)
    assert schema["components"]["schemas"]["StaffSourceEnum"]["enum"] == ["paper", "fax", "phone", "email"]
