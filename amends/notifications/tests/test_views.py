import copy

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.template import engines
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amends.complaints.choices import Channel
from amends.complaints.services import complaint_register
from amends.notifications.context_processors import unread_count
from amends.notifications.models import EmailMode, Notification, NotificationPreference
from amends.notifications.services import NotificationSpec, notify, notify_many

pytestmark = pytest.mark.urls("amends.notifications.tests.urls")
TEMPLATE = "complaints/mail/internal_filed.txt"
LIST = "/notifications/"


def login(client, user):
    client.force_login(user)
    return client


def tell(user, complaint, key):
    notify(users=[user], kind="internal_filed", key=key, complaint=complaint, template=TEMPLATE)
    return Notification.objects.get(user=user, key=key)


@pytest.fixture
def wired(settings):
    """The context processor as the lead adds it to the settings."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["context_processors"].append("amends.notifications.context_processors.unread_count")
    settings.TEMPLATES = templates


def test_pages_need_a_login(client, qms, complaint):
    notification = tell(qms, complaint, "a")
    for url in (LIST, "/notifications/settings/", f"/notifications/{notification.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.post("/notifications/read-all/").status_code == 302
    assert Notification.objects.get().read_at is None


def test_the_list_shows_notifications_in_the_language_of_the_page(client, qms, complaint):
    """A reader who never chose a language sees the page in their browser's: the notices too."""
    assert qms.language == ""
    tell(qms, complaint, "a")
    html = login(client, qms).get(LIST, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Internal complaint {complaint.number} needs a responsible person" in html


def test_the_list_shows_only_my_notifications_newest_first_unread_marked(client, qms, manager, complaint):
    tell(qms, complaint, "older")
    newer = tell(qms, complaint, "newer")
    tell(manager, complaint, "not mine")
    page = login(client, qms).get(LIST)
    assert page.status_code == 200
    assert [n.key for n in page.context["page"]] == ["newer", "older"]
    html = page.content.decode()
    assert html.count('class="card unread"') == 2
    assert f'href="/notifications/{newer.pk}/"' in html and complaint.number in html
    # The subject names the card already: the list does not put its number in front a second time.
    assert f"{complaint.number}: " not in html


def test_opening_one_marks_it_read_and_goes_to_the_card(client, qms, manager, complaint):
    mine, theirs = tell(qms, complaint, "a"), tell(manager, complaint, "a")
    tell(qms, complaint, "b")
    login(client, qms)
    response = client.get(f"/notifications/{mine.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/complaints/{complaint.number}/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert 'class="card unread"' in client.get(LIST).content.decode()  # the other one is still unread
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_counts_down_to_zero(client, qms, manager, complaint):
    for key in ("a", "b", "c"):
        tell(qms, complaint, key)
    tell(manager, complaint, "a")
    login(client, qms)
    request = RequestFactory().get(LIST)
    request.user = qms
    assert unread_count(request)["unread_notifications"]() == 3
    client.get(f"/notifications/{Notification.objects.filter(user=qms).first().pk}/")
    request = RequestFactory().get(LIST)
    request.user = qms
    assert unread_count(request)["unread_notifications"]() == 2
    assert client.get("/notifications/read-all/").status_code == 405
    assert client.post("/notifications/read-all/")["Location"] == LIST
    assert not Notification.objects.filter(user=qms, read_at__isnull=True).exists()
    assert Notification.objects.get(user=manager).read_at is None
    assert 'class="card unread"' not in client.get(LIST).content.decode()


def test_the_list_takes_a_fixed_number_of_queries(client, qms, operator, contact):
    def cards(count):
        for i in range(count):
            card = complaint_register(actor=operator, channel=Channel.PHONE, contact=contact,
                                      wording=f"Жалоба номер {i}: товар пришёл разбитым, коробка мятая.")
            tell(qms, card, f"card-{card.pk}")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    login(client, qms)
    cards(2)
    few = queries()
    cards(12)
    assert queries() == few


def test_the_header_counts_unread_once_per_request_and_not_for_visitors(
    qms, complaint, wired, django_assert_num_queries,
):
    tell(qms, complaint, "a")
    tell(qms, complaint, "b")
    request = RequestFactory().get(LIST)
    request.user = qms
    header = engines["django"].from_string(
        '{% include "notifications/badge.html" %}'
        "|{% if unread_notifications > 1 %}{{ unread_notifications }}{% endif %}"
    )
    with django_assert_num_queries(1):
        html = header.render({"user": qms}, request)
    assert '<a href="/notifications/"' in html and ">2</span>" in html and html.endswith("|2")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert header.render({}, request) == "|"  # no link, no count


def test_the_badge_is_quiet_with_nothing_unread(qms, db):
    request = RequestFactory().get(LIST)
    request.user = qms
    html = render_to_string("notifications/badge.html", unread_count(request) | {"user": qms})
    assert "badge" not in html and 'href="/notifications/"' in html


def test_choosing_a_daily_digest(client, qms):
    login(client, qms)
    page = client.get("/notifications/settings/")
    assert page.status_code == 200 and page.context["form"].initial["email"] == EmailMode.IMMEDIATE
    response = client.post("/notifications/settings/", {"email": "daily", "daily_hour": "7"})
    assert response.status_code == 302
    assert NotificationPreference.objects.filter(user=qms, email="daily", daily_hour=7).exists()
    refused = client.post("/notifications/settings/", {"email": "daily", "daily_hour": "24"})
    assert refused.status_code == 400 and "daily_hour" in refused.context["form"].errors
    assert NotificationPreference.objects.get(user=qms).daily_hour == 7


@pytest.fixture
def mixed(qms, manager, operator, contact):
    """qms has: two notices about `first`, one of another kind about `second`, and one grouped
    notice listing both; manager one of their own."""
    first, second = (
        complaint_register(actor=operator, channel=Channel.PHONE, contact=contact, wording=f"Жалоба {i}: разбит.")
        for i in (1, 2)
    )
    tell(qms, first, "a")
    tell(qms, first, "b")
    notify(users=[qms], kind="assigned", key="c", complaint=second, template="notifications/card/assigned.txt")
    notify_many([NotificationSpec(
        user_id=qms.pk, kind="deadline_breached", key="group", complaint_id=None,
        template="deadlines/notifications/breached.txt",
        context={"step": 2, "cards": [{"number": n, "clock": "decision", "due_at": "2026-01-01T10:00:00+00:00",
                                        "passed": []} for n in (first.number, second.number)]},
        cards=sorted([first.number, second.number]),
    )])
    tell(manager, first, "theirs")
    return first, second


def keys(response) -> list[str]:
    return sorted(n.key for n in response.context["page"])


def test_the_list_filters_by_kind_status_and_card(client, qms, mixed):
    first, second = mixed
    login(client, qms)
    assert keys(client.get(LIST, {"kind": "assigned"})) == ["c"]
    client.get(f"/notifications/{Notification.objects.get(user=qms, key='a').pk}/")
    assert keys(client.get(LIST, {"status": "read"})) == ["a"]
    assert keys(client.get(LIST, {"status": "unread"})) == ["b", "c", "group"]
    # A grouped notice is found by any of its cards, and never by a number that only starts alike.
    assert keys(client.get(LIST, {"card": second.number})) == ["c", "group"]
    assert keys(client.get(LIST, {"card": first.number[:-1]})) == []
    page = client.get(LIST, {"kind": "deadline_breached"}).content.decode()
    assert f'href="/complaints/{first.number}/"' in page and f'href="/complaints/{second.number}/"' in page


def test_the_kind_filter_offers_each_kind_once(client, qms, mixed):
    """qms has two notices of one kind: the filter lists it once, not once a notice."""
    page = login(client, qms).get(LIST).content.decode()
    assert [page.count(f'<option value="{kind}"') for kind in ("internal_filed", "assigned", "deadline_breached")] == [
        1, 1, 1]


def test_marking_the_selected_read(client, qms, manager, mixed):
    login(client, qms)
    mine = Notification.objects.get(user=qms, key="b")
    theirs = Notification.objects.get(user=manager)
    response = client.post("/notifications/read-all/", {"scope": "selected", "ids": [mine.pk, theirs.pk]})
    assert response.status_code == 302
    assert set(Notification.objects.filter(read_at__isnull=False).values_list("key", flat=True)) == {"b"}
    client.post("/notifications/read-all/", {"scope": "selected"})  # nothing ticked: nothing marked
    assert Notification.objects.filter(read_at__isnull=False).count() == 1


def test_marking_all_that_match_the_filter_read(client, qms, mixed):
    first, _second = mixed
    login(client, qms)
    response = client.post("/notifications/read-all/", {"scope": "matching", "card": first.number,
                                                         "kind": "internal_filed"})
    assert response["Location"] == f"{LIST}?kind=internal_filed&card={first.number}"
    assert sorted(Notification.objects.filter(user=qms, read_at__isnull=True).values_list("key", flat=True)) == [
        "c", "group"]
