"""The questionnaire pages: who sees them, who edits them, and what a draft and a published version
offer; bad input gives a message on the page, never an error page."""

import pytest
from django.test import Client
from django.urls import reverse

from amends.surveys.models import Criterion, Questionnaire, QuestionnaireVersion
from amends.surveys.questionnaires import version_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(version, administrator) -> QuestionnaireVersion:
    return version_draft(version.questionnaire, actor=administrator)


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def test_overseers_read_the_pages_and_others_are_refused(version, draft, administrator, qms, manager, operator,
                                                        responsible):
    pages = [reverse("surveys:questionnaires"), reverse("surveys:questionnaire", args=[version.questionnaire.pk]),
             reverse("surveys:version", args=[version.pk]), reverse("surveys:version", args=[draft.pk])]
    for user in (administrator, qms, manager):
        for page in pages:
            assert client_of(user).get(page).status_code == 200, (user, page)
    for user in (operator, responsible):
        for page in pages:
            assert client_of(user).get(page).status_code == 403, (user, page)
    for page in pages:
        response = client_of(None).get(page)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_the_list_shows_each_questionnaire_its_versions_and_the_form_to_administrators(version, draft,
                                                                                      administrator, qms):
    page = client_of(administrator).get(reverse("surveys:questionnaires")).content.decode()
    assert "Customer satisfaction" in page and reverse("surveys:version", args=[draft.pk]) in page
    assert 'name="new-name"' in page and "Questionnaires" in page
    assert 'aria-current="page"' in page  # the surveys' navigation marks this page
    read_only = client_of(qms).get(reverse("surveys:questionnaires")).content.decode()
    assert "Customer satisfaction" in read_only and 'name="new-name"' not in read_only


def test_an_administrator_creates_a_questionnaire_and_lands_on_its_draft(administrator):
    response = client_of(administrator).post(reverse("surveys:questionnaires"), {
        "new-name": "Сервис", "new-name_en": "Service", "new-name_hy": "Սպասարկում",
    })
    questionnaire = Questionnaire.objects.get(name="Сервис")
    draft = questionnaire.versions.get()
    assert response.status_code == 302 and response["Location"] == reverse("surveys:version", args=[draft.pk])
    assert (questionnaire.name_en, questionnaire.name_hy, draft.published_at) == ("Service", "Սպասարկում", None)


def test_a_blank_name_is_said_on_the_form(administrator):
    before = Questionnaire.objects.count()
    response = client_of(administrator).post(reverse("surveys:questionnaires"), {"new-name": "  "})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert Questionnaire.objects.count() == before


def test_read_only_users_cannot_post(version, draft, criteria, qms, manager):
    posts = [
        (reverse("surveys:questionnaires"), {"new-name": "Сервис"}),
        (reverse("surveys:questionnaire", args=[version.questionnaire.pk]), {"form": "names", "name": "X"}),
        (reverse("surveys:version", args=[draft.pk]), {"form": "criterion", "criterion-name": "Цена",
                                                       "criterion-order": 0}),
        (reverse("surveys:version_publish", args=[draft.pk]), {}),
    ]
    for user in (qms, manager):
        for url, data in posts:
            assert client_of(user).post(url, data).status_code == 403, (user, url)
    assert not Questionnaire.objects.filter(name__in=["Сервис", "X"]).exists()
    assert draft.criteria.count() == 4 and QuestionnaireVersion.objects.get(pk=draft.pk).published_at is None


def test_a_draft_is_edited_on_its_page(draft, administrator):
    client = client_of(administrator)
    url = reverse("surveys:version", args=[draft.pk])
    page = client.get(url).content.decode()
    assert "Add a criterion" in page and "Publish version 2" in page
    response = client.post(url, {
        "form": "criterion", "criterion-name": "Цена", "criterion-name_en": "Price", "criterion-name_hy": "Գին",
        "criterion-question_en": "Is the price fair?", "criterion-key": "", "criterion-order": 7,
    })
    assert response.status_code == 302
    added = draft.criteria.get(key="price")
    assert (added.name, added.name_hy, added.question_en, added.order) == ("Цена", "Գին", "Is the price fair?", 7)
    # Change it: the form comes filled in from ?criterion=.
    assert 'value="Price"' in client.get(url, {"criterion": added.pk}).content.decode()
    client.post(url, {"form": "criterion", "criterion": added.pk, "criterion-name": "Стоимость",
                      "criterion-key": "price", "criterion-order": 8})
    added.refresh_from_db()
    assert (added.name, added.name_en, added.order) == ("Стоимость", "", 8)
    client.post(url, {"form": "intro", "intro-intro": "Здравствуйте", "intro-intro_en": "Hello"})
    draft.refresh_from_db()
    assert (draft.intro, draft.intro_en) == ("Здравствуйте", "Hello")
    client.post(url, {"form": "remove", "criterion": added.pk})
    assert not draft.criteria.filter(key="price").exists()


def test_a_duplicate_key_is_said_on_the_criterion_form_and_nothing_is_stored(draft, administrator):
    response = client_of(administrator).post(reverse("surveys:version", args=[draft.pk]), {
        "form": "criterion", "criterion-name": "Ещё сроки", "criterion-key": "delivery", "criterion-order": 5,
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert "Another criterion of this version has the key" in page and 'value="Ещё сроки"' in page
    assert draft.criteria.filter(key="delivery").count() == 1


def test_an_unknown_criterion_is_not_found(draft, version, criteria, administrator):
    client = client_of(administrator)
    url = reverse("surveys:version", args=[draft.pk])
    assert client.get(url, {"criterion": "nope"}).status_code == 404
    # A criterion of the published version is not this draft's.
    assert client.post(url, {"form": "remove", "criterion": criteria["delivery"].pk}).status_code == 404
    assert client.post(url, {"form": "remove"}).status_code == 404
    assert Criterion.objects.filter(pk=criteria["delivery"].pk).exists()


def test_a_published_version_is_read_only_and_offers_the_next_version(version, administrator):
    client = client_of(administrator)
    url = reverse("surveys:version", args=[version.pk])
    page = client.get(url).content.decode()
    assert "Make the next version" in page and "Add a criterion" not in page and "Equipment reliability" in page
    # A change posted to it anyway is refused with a message.
    response = client.post(url, {"form": "criterion", "criterion-name": "Цена", "criterion-key": "price",
                                 "criterion-order": 0}, follow=True)
    assert "is published and never changes" in response.content.decode()
    assert not version.criteria.filter(key="price").exists()
    response = client.post(url, {"form": "next"})
    draft = version.questionnaire.versions.get(number=2)
    assert response["Location"] == reverse("surveys:version", args=[draft.pk])
    assert draft.criteria.count() == 4
    assert "Edit the draft v2" in client.get(url).content.decode()


def test_publishing_from_the_page(draft, administrator):
    client = client_of(administrator)
    response = client.post(reverse("surveys:version_publish", args=[draft.pk]), follow=True)
    assert "Version 2 published" in response.content.decode()
    assert draft.questionnaire.current_version() == draft
    again = client.post(reverse("surveys:version_publish", args=[draft.pk]), follow=True)
    assert again.status_code == 200 and "is published and never changes" in again.content.decode()
    assert client.get(reverse("surveys:version_publish", args=[draft.pk])).status_code == 405


def test_an_empty_draft_is_not_published(administrator):
    client = client_of(administrator)
    client.post(reverse("surveys:questionnaires"), {"new-name": "Сервис"})
    draft = Questionnaire.objects.get(name="Сервис").versions.get()
    response = client.post(reverse("surveys:version_publish", args=[draft.pk]), follow=True)
    assert "Add at least one criterion before publishing." in response.content.decode()
    draft.refresh_from_db()
    assert draft.published_at is None


def test_the_questionnaire_page_renames_and_makes_the_draft(version, administrator):
    client = client_of(administrator)
    url = reverse("surveys:questionnaire", args=[version.questionnaire.pk])
    client.post(url, {"form": "names", "name": "Опрос", "name_en": "Survey", "name_hy": "Հարցում",
                      "is_active": "on"})
    version.questionnaire.refresh_from_db()
    assert (version.questionnaire.name, version.questionnaire.name_en) == ("Опрос", "Survey")
    response = client.post(url, {"form": "draft"})
    draft = version.questionnaire.versions.get(number=2)
    assert response["Location"] == reverse("surveys:version", args=[draft.pk])
    page = client.get(url).content.decode()
    assert "Edit the draft v2" in page and "Published" in page


def test_missing_pages_are_not_found(administrator):
    client = client_of(administrator)
    assert client.get(reverse("surveys:questionnaire", args=[999999])).status_code == 404
    assert client.get(reverse("surveys:version", args=[999999])).status_code == 404
    assert client.post(reverse("surveys:version_publish", args=[999999])).status_code == 404
