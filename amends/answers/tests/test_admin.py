import pytest
from django.urls import reverse

from amends.answers.models import LegalReference, Letterhead, LetterTemplate


@pytest.fixture
def admin_client(client, administrator):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(administrator)
    return client


def test_the_letterhead_is_one_row(admin_client):
    listing = reverse("admin:answers_letterhead_changelist")
    assert admin_client.get(listing)["Location"] == reverse("admin:answers_letterhead_add")
    response = admin_client.post(reverse("admin:answers_letterhead_add"), {
        "name": "ООО «Сервис Плюс»", "registration": "ОГРН 1027700132195", "address": "Москва",
    })
    assert response.status_code == 302
    company = Letterhead.objects.get()
    assert admin_client.get(listing)["Location"] == reverse("admin:answers_letterhead_change", args=[company.pk])
    assert admin_client.get(reverse("admin:answers_letterhead_add")).status_code == 403
    assert admin_client.get(reverse("admin:answers_letterhead_delete", args=[company.pk])).status_code == 403


def test_a_template_with_an_unknown_placeholder_is_not_saved(admin_client):
    template = LetterTemplate.objects.get(outcome="refused", language="en")
    response = admin_client.post(reverse("admin:answers_lettertemplate_change", args=[template.pk]), {
        "outcome": "refused", "language": "en", "name": template.name, "subject": template.subject,
        "body": template.body + "\n{{ customer.passport }}", "is_active": "on",
    })
    assert response.status_code == 200
    assert "Unknown placeholder “customer.passport”" in response.content.decode()
    template.refresh_from_db()
    assert "passport" not in template.body


def test_templates_are_filtered_by_outcome_and_language(admin_client):
    response = admin_client.get(reverse("admin:answers_lettertemplate_changelist") + "?outcome=holding&language=hy")
    assert [t.pk for t in response.context["cl"].result_list] == [
        LetterTemplate.objects.get(outcome="holding", language="hy").pk,
    ]


def test_administrators_extend_the_reference_library(admin_client):
    response = admin_client.post(reverse("admin:answers_legalreference_add"), {
        "kind": "law", "title": "ГК РФ, ст. 475", "text": "Последствия передачи товара ненадлежащего качества.",
        "is_active": "on",
    })
    assert response.status_code == 302
    assert LegalReference.objects.filter(title="ГК РФ, ст. 475").exists()
