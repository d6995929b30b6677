"""Saved filters of the complaint list: each user's own, saved with a name, shown above the list, deleted."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from amends.complaints.choices import Channel
from amends.complaints.models import SavedFilter
from amends.complaints.services import SAVED_FILTERS_MAX, saved_filter_save
from amends.privacy.services import personal_data_erase


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def save(client, name, query):
    return client.post(reverse("complaints:saved_filter_save"), {"name": name, "query": query})


def test_a_filter_is_saved_shown_as_a_link_and_used(client, qms, register):
    phone = register(channel=Channel.PHONE)
    register(channel=Channel.EMAIL)
    client.force_login(qms)
    # What is not a filter of the list (the page, a stray parameter) is not kept; empty ones neither.
    response = save(client, "  Phone calls ", "channel=phone&page=3&state=&evil=1&sort=-number")
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:list") + "?channel=phone&sort=-number"
    saved = SavedFilter.objects.get(user=qms)
    assert (saved.name, saved.filters, saved.query) == (
        "Phone calls", {"channel": ["phone"], "sort": ["-number"]}, "channel=phone&sort=-number",
    )

    page = client.get(reverse("complaints:list")).content.decode()
    assert '<a href="?channel=phone&amp;sort=-number">Phone calls</a>' in page
    assert [c.number for c in client.get(f"{reverse('complaints:list')}?{saved.query}").context["page"]] == [
        phone.number,
    ]


def test_the_same_name_replaces_and_a_name_is_needed(client, qms):
    client.force_login(qms)
    save(client, "Mine", "mine=on")
    save(client, "Mine", "mine=on&state=assigned")
    assert [(f.name, f.query) for f in SavedFilter.objects.all()] == [("Mine", "mine=on&state=assigned")]
    response = save(client, "   ", "state=assigned")
    assert SavedFilter.objects.count() == 1
    assert "Give the filter a name." in client.get(response["Location"]).content.decode()


def test_a_user_keeps_a_bounded_number(qms):
    for n in range(SAVED_FILTERS_MAX):
        saved_filter_save(user=qms, name=f"f{n}", filters={})
    with pytest.raises(ValidationError):
        saved_filter_save(user=qms, name="one more", filters={})
    saved_filter_save(user=qms, name="f0", filters={"state": ["closed"]})  # replacing one is fine


def test_saved_filters_are_each_users_own(client, qms, operator):
    theirs = saved_filter_save(user=qms, name="QMS only", filters={"state": ["registered"]})
    client.force_login(operator)
    assert "QMS only" not in client.get(reverse("complaints:list")).content.decode()
    response = client.post(reverse("complaints:saved_filter_delete", args=[theirs.pk]))
    assert response.status_code == 404
    assert SavedFilter.objects.filter(pk=theirs.pk).exists()
    save(client, "QMS only", "state=closed")  # the same name is another user's own filter
    assert SavedFilter.objects.filter(name="QMS only").count() == 2
    assert SavedFilter.objects.get(pk=theirs.pk).query == "state=registered"


def test_a_filter_is_deleted_by_its_owner(client, qms):
    saved = saved_filter_save(user=qms, name="Old", filters={"state": ["closed"]})
    client.force_login(qms)
    response = client.post(reverse("complaints:saved_filter_delete", args=[saved.pk]))
    assert response.status_code == 302
    assert not SavedFilter.objects.exists()
    assert client.post(reverse("complaints:saved_filter_delete", args=[saved.pk])).status_code == 404


def test_saving_and_deleting_need_a_login_and_a_post(client, qms):
    saved = saved_filter_save(user=qms, name="Old", filters={})
    for url in (reverse("complaints:saved_filter_save"), reverse("complaints:saved_filter_delete", args=[saved.pk])):
        assert client.post(url)["Location"].startswith(reverse("login"))
    client.force_login(qms)
    assert client.get(reverse("complaints:saved_filter_delete", args=[saved.pk])).status_code == 405


def test_a_saved_search_for_a_customer_is_redacted_when_their_data_is_erased(client, qms, complaint, contact):
    client.force_login(qms)
    save(client, "Ivanov", "q=Иванов Иван Иванович&state=registered")
    assert SavedFilter.objects.get().filters["q"] == ["Иванов Иван Иванович"]
    personal_data_erase(contact=contact, actor=qms)
    kept = SavedFilter.objects.get().filters
    assert "Иванов" not in kept["q"][0] and kept["state"] == ["registered"]
