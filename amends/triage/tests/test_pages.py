"""The card's triage panel and the administrators' pages."""

from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django_tasks import default_task_backend

from amends.complaints.choices import Channel, Importance
from amends.complaints.models import Category
from amends.complaints.services import complaint_register
from amends.core.queues import QUEUES
from amends.triage.models import FieldPolicy, KeywordRule, Suggestion, SuggestionStatus, TriageField, TriageModel
from amends.triage.tasks import train_task

pytestmark = pytest.mark.django_db

EVALUATION = {
    "top1": 0.81, "top3": 0.95, "macro_f1": 0.74, "cards": 1000,
    "compared_with": {"model": 1, "version": 3, "top1": 0.777, "top3": 0.9, "macro_f1": 0.7},
    "split": {"train": 700, "validation": 100, "test": 200, "train_from": "2024-01-04T09:12:00+00:00",
              "test_from": "2025-10-02T08:00:00+00:00", "test_to": "2026-12-06T17:40:00+00:00"},
    "names": {"B": "Старое имя"},
    "per_class": [
        {"value": "A", "precision": 0.9, "recall": 0.8, "f1": 0.847, "support": 120},
        {"value": "B", "precision": 0.7, "recall": 0.75, "f1": 0.724, "support": 80},
    ],
    "confusion": {"labels": ["A", "B"], "matrix": [[96, 24], [20, 60]]},
    "calibration": [
        {"from": 0.0, "to": 0.5, "count": 0, "confidence": None, "accuracy": None},
        {"from": 0.5, "to": 0.9, "count": 50, "confidence": 0.71, "accuracy": 0.66},
        {"from": 0.9, "to": 1.0, "count": 150, "confidence": 0.95, "accuracy": 0.93},
    ],
    "baselines": {"majority": {"top1": 0.6, "top3": 0.9, "macro_f1": 0.38, "value": "A"},
                  "keywords": {"top1": 0.55, "top3": 0.8, "macro_f1": 0.5}},
}


@pytest.fixture
def categories():
    return Category.objects.create(name="Доставка"), Category.objects.create(name="Оплата")


@pytest.fixture
def card(operator, contact, categories):
    KeywordRule.objects.create(field=TriageField.CATEGORY, value=str(categories[0].pk), keywords="доставка")
    return complaint_register(actor=operator, channel=Channel.PHONE, contact=contact, wording="Доставка опоздала")


def test_the_card_shows_the_suggestion_its_confidence_and_why_others_have_none(client, operator, card):
    client.force_login(operator)
    with translation.override("en"):
        page = client.get(reverse("complaints:detail", args=[card.number]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="triage"' in html
    assert "Accept: Доставка" in html
    assert "50 %" in html
    assert "No suggestion" in html and "No model and no keyword rules for this field yet." in html


def test_accept_from_the_card_sets_the_field(client, operator, card, categories):
    client.force_login(operator)
    response = client.post(reverse("triage:decide", args=[card.number, "category"]), {"value": categories[0].pk})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.category == categories[0]
    assert Suggestion.objects.get(complaint=card, field="category").status == SuggestionStatus.ACCEPTED


def test_a_bad_value_is_said_on_the_card_not_an_error_page(client, operator, card):
    client.force_login(operator)
    response = client.post(reverse("triage:decide", args=[card.number, "category"]), {"value": "nonsense"},
                           follow=True)
    assert response.status_code == 200
    assert Suggestion.objects.get(complaint=card, field="category").status == SuggestionStatus.OPEN
    response = client.post(reverse("triage:decide", args=[card.number, "colour"]), {"value": "1"}, follow=True)
    assert response.status_code == 200


def test_a_user_who_may_not_edit_the_card_cannot_decide(client, make_user, card, categories):
    from amends.accounts.roles import Role

    client.force_login(make_user("exec", Role.EXECUTOR))
    response = client.post(reverse("triage:decide", args=[card.number, "category"]), {"value": categories[0].pk})
    assert response.status_code in (403, 404)
    card.refresh_from_db()
    assert card.category is None


@pytest.mark.parametrize("name", ["triage:settings", "triage:rules", "triage:models"])
def test_only_administrators_see_the_settings(client, operator, administrator, name):
    client.force_login(operator)
    assert client.get(reverse(name)).status_code == 403
    client.force_login(administrator)
    assert client.get(reverse(name)).status_code == 200


def test_the_top_bar_leads_administrators_to_triage(client, operator, administrator):
    settings_url = reverse("triage:settings")
    client.force_login(operator)
    assert f'href="{settings_url}"' not in client.get(reverse("complaints:list")).content.decode()
    client.force_login(administrator)
    assert f'href="{settings_url}"' in client.get(reverse("complaints:list")).content.decode()


def test_thresholds_are_saved_and_an_empty_one_means_never(client, administrator):
    client.force_login(administrator)
    response = client.post(reverse("triage:settings"), {"category": "0.85", "importance": ""})
    assert response.status_code == 302
    assert FieldPolicy.objects.get(field="category").auto_apply_at == Decimal("0.85")
    assert FieldPolicy.objects.get(field="importance").auto_apply_at is None
    assert client.post(reverse("triage:settings"), {"category": "1.5"}).status_code == 400


def test_rules_are_added_edited_and_deleted(client, administrator, categories):
    client.force_login(administrator)
    response = client.post(reverse("triage:rules"), {
        "value": f"category:{categories[1].pk}", "keywords": "счёт\nоплата", "active": "on",
    })
    assert response.status_code == 302
    rule = KeywordRule.objects.get()
    assert (rule.field, rule.value, rule.active) == ("category", str(categories[1].pk), True)
    response = client.post(reverse("triage:rule_edit", args=[rule.pk]), {
        "value": f"importance:{Importance.HIGH}", "keywords": "суд",
    })
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.field, rule.value, rule.keywords, rule.active) == ("importance", "high", "суд", False)
    assert "суд" in client.get(reverse("triage:rules")).content.decode()
    assert client.post(reverse("triage:rule_delete", args=[rule.pk])).status_code == 302
    assert not KeywordRule.objects.exists()


def test_a_rule_without_keywords_is_refused(client, administrator, categories):
    client.force_login(administrator)
    response = client.post(reverse("triage:rules"), {"value": f"category:{categories[1].pk}", "keywords": ""})
    assert response.status_code == 400
    assert not KeywordRule.objects.exists()


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": QUEUES}})
def test_train_now_queues_the_training_for_the_worker(client, administrator):
    default_task_backend.clear()
    client.force_login(administrator)
    assert client.post(reverse("triage:train"), {"field": "cause"}).status_code == 302
    [job] = [r for r in default_task_backend.results if r.task.name == train_task.name]
    assert job.args == ["cause"]


def test_the_models_history_says_which_is_in_use_and_why_not(client, administrator):
    TriageModel.objects.create(field="category", version=1, trained_on=800, tested_on=200, evaluation=EVALUATION,
                               active=True)
    TriageModel.objects.create(field="category", version=2, trained_on=900, tested_on=220,
                               rejected_reason="Worse than version 1 on the held-out cards.")
    client.force_login(administrator)
    html = client.get(reverse("triage:models")).content.decode()
    assert "v1" in html and "v2" in html
    assert "Worse than version 1 on the held-out cards." in html


def test_the_evaluation_page_shows_scores_baselines_classes_confusion_and_calibration(client, administrator):
    first = Category.objects.create(name="Доставка")
    evaluation = {**EVALUATION, "per_class": [{**EVALUATION["per_class"][0], "value": str(first.pk)},
                                              EVALUATION["per_class"][1]],
                  "confusion": {"labels": [str(first.pk), "other"], "matrix": [[96, 24], [20, 60]]}}
    model = TriageModel.objects.create(field="category", version=4, trained_on=800, tested_on=200,
                                       evaluation=evaluation, active=True)
    client.force_login(administrator)
    with translation.override("en"):
        response = client.get(reverse("triage:model_detail", args=[model.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "0.810" in html and "0.950" in html and "0.740" in html
    assert "0.600" in html and "0.550" in html  # the baselines
    assert "Доставка" in html and "0.847" in html and "Старое имя" in html
    assert "The version in use then (v3)" in html and "0.777" in html
    assert "2 Oct 2025" in html  # the held-out part's first day
    assert "other values" in html and ">96<" in html
    assert "<svg" in html and "<polyline" in html


def test_a_model_that_was_not_trained_says_so(client, administrator):
    model = TriageModel.objects.create(field="product", version=1, evaluation={"cards": 12},
                                       rejected_reason="Too few classified cards: 12.")
    client.force_login(administrator)
    with translation.override("en"):
        response = client.get(reverse("triage:model_detail", args=[model.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "This model has no evaluation." in html and "Too few classified cards: 12." in html
