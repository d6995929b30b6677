"""Suggestions are made after registration, from the keyword rules or the model in use, and follow
what the card finally gets."""

from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import translation
from django_tasks import default_task_backend

from amends.complaints.choices import Channel, EventKind, Importance
from amends.complaints.models import Category, Complaint
from amends.complaints.services import (
    complaint_prepare,
    complaint_register,
    complaint_update,
    complaints_register_prepared,
)
from amends.core.queues import QUEUES
from amends.triage.models import (
    FieldPolicy,
    KeywordRule,
    Suggestion,
    SuggestionSource,
    SuggestionStatus,
    TriageField,
    TriageModel,
)
from amends.triage.services import suggest_many, suggestion_decide
from amends.triage.tasks import triage_task

pytestmark = pytest.mark.django_db

DELIVERY_TEXT = "Доставка опоздала, курьер не привёз посылку, доставка сорвана."


@pytest.fixture
def delivery():
    parent = Category.objects.create(name="Логистика")
    return Category.objects.create(name="Опоздание доставки", parent=parent)


@pytest.fixture
def billing():
    return Category.objects.create(name="Счета")


@pytest.fixture
def rules(delivery, billing):
    return [
        KeywordRule.objects.create(field=TriageField.CATEGORY, value=str(delivery.pk), keywords="доставка\nкурьер"),
        KeywordRule.objects.create(field=TriageField.CATEGORY, value=str(billing.pk), keywords="посылка"),
        KeywordRule.objects.create(field=TriageField.IMPORTANCE, value=Importance.HIGH, keywords="сорвана"),
    ]


def register(operator, contact, wording: str = DELIVERY_TEXT) -> Complaint:
    return complaint_register(actor=operator, channel=Channel.PHONE, contact=contact, wording=wording)


def test_a_registered_card_gets_every_field_suggested_or_told_why_not(operator, contact, rules, delivery, billing):
    card = register(operator, contact)
    suggestions = {s.field: s for s in Suggestion.objects.filter(complaint=card)}
    assert set(suggestions) == set(TriageField.values)
    category = suggestions[TriageField.CATEGORY]
    assert (category.value, category.source, category.rule_id) == (str(delivery.pk), SuggestionSource.KEYWORDS,
                                                                    rules[0].pk)
    assert category.confidence == pytest.approx(3 / 5)  # three hits of four, plus one
    assert category.alternatives == [[str(billing.pk), "Счета", pytest.approx(1 / 5)]]
    assert category.status == SuggestionStatus.OPEN
    assert suggestions[TriageField.IMPORTANCE].value == Importance.HIGH
    cause = suggestions[TriageField.CAUSE]
    assert (cause.value, cause.source) == ("", SuggestionSource.NONE)
    assert cause.reason
    # Only suggested: the card itself is untouched.
    card.refresh_from_db()
    assert card.category is None


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": QUEUES}})
def test_a_worker_batch_makes_one_job_for_all_its_cards(operator, contact, rules):
    default_task_backend.clear()
    cards = [complaint_prepare(actor=None, channel=Channel.EMAIL, contact=contact, wording=f"Доставка {n}")
             for n in range(3)]
    registered = complaints_register_prepared(cards)
    jobs = [r for r in default_task_backend.results if r.task.name == triage_task.name]
    assert len(jobs) == 1
    assert jobs[0].args == [[card.pk for card in registered]]
    assert not Suggestion.objects.exists()  # made by the job, not by the registration
    assert suggest_many(jobs[0].args[0]) == 3 * len(TriageField.values)
    assert Suggestion.objects.filter(field=TriageField.CATEGORY, source=SuggestionSource.KEYWORDS).count() == 3


def test_suggesting_again_keeps_what_was_decided(operator, contact, rules, billing):
    card = register(operator, contact)
    suggestion_decide(complaint=card, field=TriageField.CATEGORY, value=str(billing.pk), actor=operator)
    assert suggest_many([card.pk]) == 0
    assert Suggestion.objects.get(complaint=card, field=TriageField.CATEGORY).status == SuggestionStatus.CORRECTED


def test_accepting_sets_the_card_as_the_user(operator, contact, rules, delivery):
    card = register(operator, contact)
    suggestion_decide(complaint=card, field=TriageField.CATEGORY, value=str(delivery.pk), actor=operator)
    card.refresh_from_db()
    assert card.category == delivery
    suggestion = Suggestion.objects.get(complaint=card, field=TriageField.CATEGORY)
    assert (suggestion.status, suggestion.final_value, suggestion.decided_by) == (
        SuggestionStatus.ACCEPTED, str(delivery.pk), operator)
    change = card.events.get(kind=EventKind.FIELD_CHANGE, field="category")
    assert change.actor == operator


def test_picking_another_value_is_a_correction(operator, contact, rules, billing):
    card = register(operator, contact)
    suggestion_decide(complaint=card, field=TriageField.CATEGORY, value=str(billing.pk), actor=operator)
    suggestion = Suggestion.objects.get(complaint=card, field=TriageField.CATEGORY)
    assert (suggestion.status, suggestion.final_value) == (SuggestionStatus.CORRECTED, str(billing.pk))


def test_accepting_a_value_the_card_already_has_is_recorded_too(operator, contact):
    KeywordRule.objects.create(field=TriageField.IMPORTANCE, value=Importance.MEDIUM, keywords="доставка")
    card = register(operator, contact)
    suggestion_decide(complaint=card, field=TriageField.IMPORTANCE, value=Importance.MEDIUM, actor=operator)
    suggestion = Suggestion.objects.get(complaint=card, field=TriageField.IMPORTANCE)
    assert (suggestion.status, suggestion.final_value) == (SuggestionStatus.ACCEPTED, Importance.MEDIUM)


def test_a_value_not_in_use_is_refused_and_nothing_changes(operator, contact, rules):
    card = register(operator, contact)
    with pytest.raises(Exception, match="not a value"):
        suggestion_decide(complaint=card, field=TriageField.CATEGORY, value="999999", actor=operator)
    assert Suggestion.objects.get(complaint=card, field=TriageField.CATEGORY).status == SuggestionStatus.OPEN


def test_above_the_threshold_the_suggestion_is_applied_as_the_systems(operator, contact, rules, delivery):
    FieldPolicy.objects.create(field=TriageField.CATEGORY, auto_apply_at=Decimal("0.55"))
    FieldPolicy.objects.create(field=TriageField.IMPORTANCE, auto_apply_at=Decimal("0.90"))
    card = register(operator, contact)
    card.refresh_from_db()
    assert card.category == delivery
    assert card.importance == Importance.MEDIUM  # 0.5 is below its 0.90
    change = card.events.get(kind=EventKind.FIELD_CHANGE, field="category")
    assert change.actor is None
    note = card.events.get(kind=EventKind.NOTE, code="triage_applied")
    assert note.actor is None
    with translation.override("en"):
        assert note.text_display == "Category suggested by triage, confidence 60%"
    suggestion = Suggestion.objects.get(complaint=card, field=TriageField.CATEGORY)
    assert (suggestion.status, suggestion.final_value) == (SuggestionStatus.AUTO_APPLIED, str(delivery.pk))


def test_a_value_someone_set_is_never_overwritten(operator, contact, rules, billing):
    FieldPolicy.objects.create(field=TriageField.CATEGORY, auto_apply_at=Decimal("0.10"))
    card = complaint_register(actor=operator, channel=Channel.PHONE, contact=contact, wording=DELIVERY_TEXT,
                              category=billing)
    card.refresh_from_db()
    assert card.category == billing
    assert not card.events.filter(code="triage_applied").exists()


def test_a_later_edit_is_the_final_value(operator, contact, rules, delivery, billing):
    FieldPolicy.objects.create(field=TriageField.CATEGORY, auto_apply_at=Decimal("0.5"))
    card = register(operator, contact)
    complaint_update(complaint=Complaint.objects.get(pk=card.pk), actor=operator, changes={"category": billing})
    suggestion = Suggestion.objects.get(complaint=card, field=TriageField.CATEGORY)
    assert (suggestion.status, suggestion.final_value, suggestion.decided_by) == (
        SuggestionStatus.CORRECTED, str(billing.pk), operator)


def test_no_rules_and_no_model_is_a_suggestion_with_its_reason(operator, contact):
    with translation.override("en"):
        card = register(operator, contact)
    suggestion = Suggestion.objects.get(complaint=card, field=TriageField.CATEGORY)
    assert (suggestion.source, suggestion.value) == (SuggestionSource.NONE, "")
    assert suggestion.reason == "No model and no keyword rules for this field yet."


def test_a_missing_model_file_leaves_a_reason_and_the_rules_stand_in(operator, contact, delivery):
    TriageModel.objects.create(field=TriageField.CATEGORY, version=1, file="triage/gone.bin", active=True)
    TriageModel.objects.create(field=TriageField.CAUSE, version=1, file="triage/gone.bin", active=True)
    KeywordRule.objects.create(field=TriageField.CATEGORY, value=str(delivery.pk), keywords="доставка")
    card = register(operator, contact)
    category = Suggestion.objects.get(complaint=card, field=TriageField.CATEGORY)
    assert (category.source, category.value) == (SuggestionSource.KEYWORDS, str(delivery.pk))
    cause = Suggestion.objects.get(complaint=card, field=TriageField.CAUSE)
    assert (cause.source, cause.value) == (SuggestionSource.NONE, "")
    assert "version 1" in cause.reason


def test_a_corrupt_model_file_leaves_a_reason(operator, contact, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "triage").mkdir()
    (tmp_path / "triage" / "broken.bin").write_bytes(b"not a model at all")
    TriageModel.objects.create(field=TriageField.CAUSE, version=3, file="triage/broken.bin", digest="0" * 64,
                               active=True)
    card = register(operator, contact)
    cause = Suggestion.objects.get(complaint=card, field=TriageField.CAUSE)
    assert (cause.source, cause.value) == (SuggestionSource.NONE, "")
    assert "version 3" in cause.reason


def test_the_model_in_use_suggests_before_the_rules_and_is_applied_above_its_threshold(operator, contact, delivery):
    from amends.triage.learning import train

    from .learning_corpus import categories, closed_cards

    closed_cards(operator, 90)
    model = train(TriageField.CATEGORY)
    assert model.active
    KeywordRule.objects.create(field=TriageField.CATEGORY, value=str(delivery.pk), keywords="курьер")
    FieldPolicy.objects.create(field=TriageField.CATEGORY, auto_apply_at=Decimal("0.5"))
    card = register(operator, contact, "Курьер опоздал, посылка не пришла")
    suggestion = Suggestion.objects.get(complaint=card, field=TriageField.CATEGORY)
    learned = categories()["Delivery"]
    assert (suggestion.source, suggestion.model, suggestion.value) == (SuggestionSource.MODEL, model, str(learned.pk))
    assert len(suggestion.alternatives) == 2
    assert suggestion.confidence > 0.5
    card.refresh_from_db()
    assert card.category == learned
    assert suggestion.status == SuggestionStatus.AUTO_APPLIED


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}})
def test_web_form_cards_registered_by_the_worker_get_their_suggestions_from_one_job(reference_data_restored):
    import json

    from django_tasks_db.models import DBTaskResult

    from amends.intake.queue import inbound_process_queued
    from amends.intake.services import inbound_store_numbered
    from amends.jobs.worker import AmendsWorker

    category = Category.objects.create(name="Протечки")
    KeywordRule.objects.create(field=TriageField.CATEGORY, value=str(category.pk), keywords="течёт")
    for n in range(4):
        inbound_store_numbered(channel=Channel.WEB_FORM, source="web_form", raw=json.dumps({
            "name": f"Клиент {n}", "email": f"client{n}@example.ru", "text": f"Чайник {n} течёт.",
        }).encode())
    assert inbound_process_queued() == 4
    cards = list(Complaint.objects.order_by("pk").values_list("pk", flat=True))
    [job] = DBTaskResult.objects.filter(task_path="amends.triage.tasks.triage_task")
    assert job.args_kwargs["args"] == [cards]
    assert not Suggestion.objects.exists()
    AmendsWorker(interval=0).tick()
    made = Suggestion.objects.filter(field=TriageField.CATEGORY, value=str(category.pk))
    assert sorted(made.values_list("complaint_id", flat=True)) == cards


def test_the_cards_organisation_is_read_with_its_words(operator, contact):
    from amends.customers.models import Organisation
    from amends.triage.learning import train

    from .learning_corpus import categories, closed_cards

    # The words say nothing; the delivery complaints all come from the contact's organisation.
    cards = closed_cards(operator, 90)
    other = Organisation.objects.create(name="ООО «Лютик»")
    learned = categories()["Delivery"]
    for card in cards:
        card.wording = "Прошу разобраться с заказом."
        card.organisation = contact.organisation if card.category_id == learned.pk else other
    Complaint.objects.bulk_update(cards, ["wording", "organisation"])
    assert train(TriageField.CATEGORY).active
    ours = register(operator, contact, "Прошу разобраться с заказом.")
    theirs = complaint_register(actor=operator, channel=Channel.PHONE, wording="Прошу разобраться с заказом.",
                                organisation=other)
    suggested = dict(Suggestion.objects.filter(field=TriageField.CATEGORY).values_list("complaint", "value"))
    assert ours.organisation == contact.organisation and suggested[ours.pk] == str(learned.pk)
    assert suggested[theirs.pk] != str(learned.pk)
