"""Sending the answer through the API: the same rules as the card (answers/delivery.py)."""

from django.utils import timezone

from amends.answers.models import Delivery, Letter


def letter_on(card, responsible) -> Letter:
    return Letter.objects.create(
        complaint=card, outcome="refused", language="en", subject="Our answer", body="The delivery was on time.",
        created_by=responsible,
    )


def send_url(card, letter) -> str:
    return f"/api/v1/complaints/{card.number}/letters/{letter.pk}/send/"


def test_a_letter_with_a_missing_element_is_refused_with_409_and_the_problems(
    api, decided_unjustified, responsible,
):
    letter = letter_on(decided_unjustified, responsible)
    response = api(responsible).post(send_url(decided_unjustified, letter), {"channel": "tracking"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "letter_blocked"
    blocking = [problem for problem in response.json()["problems"] if not problem["overridable"]]
    assert {"code": "missing:references", "overridable": False,
            "message": "A refusal cites at least one legal or contractual reference: choose it on the letter.",
            "url": f"/complaints/{decided_unjustified.number}/#id_letter-references"} in blocking
    missing = api(responsible).get(f"/api/v1/complaints/{decided_unjustified.number}/letters/{letter.pk}/missing/")
    assert missing.json() == response.json()["problems"]  # the same list before sending
    assert not Delivery.objects.exists()


def test_an_unknown_channel_for_this_customer_is_400(api, decided_unjustified, responsible):
    letter = letter_on(decided_unjustified, responsible)
    response = api(responsible).post(send_url(decided_unjustified, letter), {"channel": "messenger"}, format="json")
    assert response.status_code == 400 and "channel" in response.json()["errors"]


def test_a_letter_for_post_is_marked_posted(api, decided_unjustified, responsible, executor):
    letter = letter_on(decided_unjustified, responsible)
    delivery = Delivery.objects.create(letter=letter, channel="post", recipient="г. Казань", sent_by=responsible)
    url = f"/api/v1/complaints/{decided_unjustified.number}/deliveries/{delivery.pk}/posted/"
    today = timezone.localdate().isoformat()
    assert api(executor).post(url, {"posted_on": today}, format="json").status_code in (403, 404)
    response = api(responsible).post(url, {"posted_on": today}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "sent"
    again = api(responsible).post(url, {"posted_on": today}, format="json")  # once: not in this state any more
    assert again.status_code == 409 and again.json()["code"] == "transition_not_allowed"
