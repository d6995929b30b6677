"""The questionnaire services: a new questionnaire's draft, criteria on a draft only, publishing, the
next version as a copy, and the default questionnaire of a fresh install."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from amends.audit.models import AuditEntry
from amends.core.errors import AccessDenied
from amends.surveys.defaults import CRITERIA
from amends.surveys.models import Criterion, Questionnaire, QuestionnaireVersion
from amends.surveys.models.policy import policy
from amends.surveys.questionnaires import (
    criterion_remove,
    criterion_save,
    questionnaire_create,
    questionnaire_rows,
    questionnaire_update,
    untranslated,
    version_draft,
    version_intro_save,
    version_publish,
)
from amends.surveys.recording import response_record
from amends.surveys.scoring import Rating

pytestmark = pytest.mark.django_db


def audit_of(row) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type=row._meta.label_lower, object_pk=str(row.pk)).order_by("seq"))


def test_the_default_questionnaire_is_published_with_the_seeds_criteria_and_not_sent():
    default = Questionnaire.objects.get(name="Удовлетворённость клиентов")
    current = default.current_version()
    assert current is not None and current.number == 1 and current.published_at is not None
    rows = list(current.criteria.values_list("key", "name", "name_en", "name_hy", "question_hy"))
    assert [row[0] for row in rows] == ["reliability", "delivery", "courtesy", "handling"]
    assert all(all(row) for row in rows)  # every name and question in all three languages
    assert [row[2] for row in rows] == [criterion[2] for criterion in CRITERIA]
    assert default.name_en == "Customer satisfaction" and default.name_hy
    assert current.intro and current.intro_en and current.intro_hy
    # Surveys stay off until an administrator chooses a questionnaire.
    assert policy().post_resolution_id is None and policy().periodic_id is None


def test_a_new_questionnaire_has_an_empty_draft_v1_and_is_audited(administrator):
    questionnaire = questionnaire_create(actor=administrator, name="  Сервис  ", name_en="Service")
    versions = list(questionnaire.versions.all())
    assert [(v.number, v.published_at, v.criteria.count()) for v in versions] == [(1, None, 0)]
    assert questionnaire.name == "Сервис" and questionnaire.current_version() is None
    assert [entry.action for entry in audit_of(questionnaire)] == ["create"]
    assert audit_of(questionnaire)[0].actor_pk == administrator.pk


def test_only_administrators_define_questionnaires(qms, manager, version):
    for user in (qms, manager):
        with pytest.raises(AccessDenied):
            questionnaire_create(actor=user, name="Сервис")
        with pytest.raises(AccessDenied):
            version_draft(version.questionnaire, actor=user)
    assert not Questionnaire.objects.filter(name="Сервис").exists()


def test_a_questionnaire_needs_its_russian_name(administrator):
    for name, name_en, field in [("   ", "Service", "name"), ("Сервис", "S" * 201, "name_en")]:
        with pytest.raises(ValidationError) as raised:
            questionnaire_create(actor=administrator, name=name, name_en=name_en)
        assert field in raised.value.message_dict
    assert not Questionnaire.objects.filter(name_en="Service").exists()


def test_criteria_are_added_changed_and_removed_on_a_draft(administrator):
    draft = questionnaire_create(actor=administrator, name="Сервис").versions.get()
    first = criterion_save(draft, actor=administrator, key="", name="Сроки поставки", name_en="Delivery times",
                           name_hy="Առաքման ժամկետներ", order=1)
    assert first.key == "delivery-times"  # made from the English name
    second = criterion_save(draft, actor=administrator, key="", name="Вежливость", order=0)
    assert second.key == "criterion-2"  # no Latin name to make it from
    changed = criterion_save(draft, actor=administrator, key="delivery", name="Сроки", question="Быстро?",
                             order=1, criterion=first)
    assert changed.pk == first.pk
    assert Criterion.objects.filter(pk=first.pk).values_list("key", "name", "name_en", "question").get() == (
        "delivery", "Сроки", "", "Быстро?",
    )
    second_pk = second.pk
    criterion_remove(second, actor=administrator)
    assert list(draft.criteria.values_list("key", flat=True)) == ["delivery"]
    assert [entry.action for entry in audit_of(first)] == ["create", "change"]
    assert audit_of(first)[1].changes["key"] == ["delivery-times", "delivery"]
    second.pk = second_pk
    assert [entry.action for entry in audit_of(second)] == ["create", "delete"]


def test_a_duplicate_key_a_bad_key_and_an_empty_name_are_refused(administrator):
    draft = questionnaire_create(actor=administrator, name="Сервис").versions.get()
    kept = criterion_save(draft, actor=administrator, key="delivery", name="Сроки")
    other = criterion_save(draft, actor=administrator, key="courtesy", name="Вежливость")
    for key, name, criterion, field in [
        ("delivery", "Ещё сроки", None, "key"),
        ("delivery", "Вежливость", other, "key"),
        ("сроки поставки", "Сроки", None, "key"),
        ("speed", "  ", None, "name"),
        ("speed", "С" * 201, None, "name"),
        ("s" * 51, "Скорость", None, "key"),
    ]:
        with pytest.raises(ValidationError) as raised:
            criterion_save(draft, actor=administrator, key=key, name=name, criterion=criterion)
        assert field in raised.value.message_dict
    assert sorted(draft.criteria.values_list("key", "name")) == [("courtesy", "Вежливость"), ("delivery", "Сроки")]
    assert criterion_save(draft, actor=administrator, key="delivery", name="Сроки!", criterion=kept).name == "Сроки!"


def test_a_published_version_never_changes(administrator, version, criteria):
    before = list(version.criteria.values_list("pk", "key", "name", "order"))
    attempts = [
        lambda: criterion_save(version, actor=administrator, key="price", name="Цена"),
        lambda: criterion_save(version, actor=administrator, key="delivery", name="Сроки",
                               criterion=criteria["delivery"]),
        lambda: criterion_remove(criteria["courtesy"], actor=administrator),
        lambda: version_intro_save(version, actor=administrator, intro="Новое"),
        lambda: version_publish(version, actor=administrator),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError):
            attempt()
    assert list(version.criteria.values_list("pk", "key", "name", "order")) == before
    assert QuestionnaireVersion.objects.get(pk=version.pk).intro == ""


def test_a_criterion_of_another_version_is_refused(administrator, version, criteria):
    draft = version_draft(version.questionnaire, actor=administrator)
    with pytest.raises(ValidationError):
        criterion_save(draft, actor=administrator, key="delivery", name="Сроки", criterion=criteria["delivery"])
    assert criteria["delivery"].name == Criterion.objects.get(pk=criteria["delivery"].pk).name


def test_publishing_needs_a_criterion_and_makes_it_the_current_version(administrator):
    questionnaire = questionnaire_create(actor=administrator, name="Сервис")
    draft = questionnaire.versions.get()
    with pytest.raises(ValidationError):
        version_publish(draft, actor=administrator)
    assert questionnaire.current_version() is None
    criterion_save(draft, actor=administrator, key="delivery", name="Сроки")
    published = version_publish(draft, actor=administrator)
    assert published.published_by == administrator and published.published_at is not None
    assert questionnaire.current_version() == draft
    with pytest.raises(ValidationError):
        version_publish(draft, actor=administrator)  # published already


def test_the_next_version_copies_the_current_one_and_keeps_the_old_answers(administrator, version, criteria, contact):
    version.intro, version.intro_en = "Оцените нас", "Rate us"
    version.save()
    answered = response_record(
        version=version, ratings={criteria["delivery"].pk: Rating(6, 5)}, source="phone", language="ru",
        contact=contact,
    )
    draft = version_draft(version.questionnaire, actor=administrator)
    assert (draft.number, draft.published_at, draft.intro, draft.intro_en) == (2, None, "Оцените нас", "Rate us")
    copied = list(draft.criteria.values_list("key", "name", "name_en", "name_hy", "order"))
    assert copied == list(version.criteria.values_list("key", "name", "name_en", "name_hy", "order"))
    assert not set(draft.criteria.values_list("pk", flat=True)) & {c.pk for c in criteria.values()}
    assert version_draft(version.questionnaire, actor=administrator) == draft  # the open draft, not a third
    criterion_remove(draft.criteria.get(key="courtesy"), actor=administrator)
    criterion_save(draft, actor=administrator, key="price", name="Цена", name_en="Price", name_hy="Գին", order=9)
    version_publish(draft, actor=administrator)
    assert version.questionnaire.current_version() == draft
    assert sorted(draft.criteria.values_list("key", flat=True)) == ["delivery", "handling", "price", "reliability"]
    # The first version and its response are untouched.
    assert version.criteria.count() == 4
    assert answered.version_id == version.pk and answered.answers.get().criterion_id == criteria["delivery"].pk
    assert version_draft(version.questionnaire, actor=administrator).number == 3


def test_intro_of_a_draft_is_saved_and_audited(administrator):
    draft = questionnaire_create(actor=administrator, name="Сервис").versions.get()
    version_intro_save(draft, actor=administrator, intro=" Здравствуйте ", intro_en="Hello", intro_hy="Բարև")
    draft.refresh_from_db()
    assert (draft.intro, draft.intro_en, draft.intro_hy) == ("Здравствуйте", "Hello", "Բարև")
    with translation.override("hy"):
        assert draft.localized_intro == "Բարև"
    assert audit_of(draft)[-1].changes["intro"] == ["", "Здравствуйте"]


def test_a_questionnaire_the_settings_send_is_not_retired(administrator, version):
    settings_row = policy()
    settings_row.post_resolution = version.questionnaire
    settings_row.save()
    with pytest.raises(ValidationError) as raised:
        questionnaire_update(version.questionnaire, actor=administrator, name="Другое", is_active=False)
    assert "is_active" in raised.value.message_dict
    version.questionnaire.refresh_from_db()
    assert version.questionnaire.is_active and version.questionnaire.name != "Другое"
    renamed = questionnaire_update(version.questionnaire, actor=administrator, name="Другое", name_en="Other",
                                   name_hy=version.questionnaire.name_hy)
    assert (renamed.name, renamed.name_en, renamed.is_active) == ("Другое", "Other", True)
    assert audit_of(renamed)[-1].changes == {"name": ["Удовлетворённость клиентов", "Другое"],
                                             "name_en": ["Customer satisfaction", "Other"]}


def test_untranslated_criteria_are_listed(administrator):
    draft = questionnaire_create(actor=administrator, name="Сервис").versions.get()
    criterion_save(draft, actor=administrator, key="a", name="А", name_en="A", name_hy="Ա")
    half = criterion_save(draft, actor=administrator, key="b", name="Б", name_en="B")
    assert untranslated(draft) == [half]


def test_the_list_rows_say_current_draft_responses_and_what_is_sent(administrator, version, criteria, contact,
                                                                   django_assert_max_num_queries):
    for score in (7, 9):
        response_record(version=version, ratings={criteria["delivery"].pk: Rating(score, 5)}, source="phone",
                        language="ru", contact=contact)
    draft = version_draft(version.questionnaire, actor=administrator)
    settings_row = policy()
    settings_row.periodic = version.questionnaire
    settings_row.save()
    fresh = questionnaire_create(actor=administrator, name="Сервис")
    with django_assert_max_num_queries(4):
        rows = {row["questionnaire"].pk: row for row in questionnaire_rows()}
    row = rows[version.questionnaire.pk]
    assert (row["current"], row["draft"], row["responses"], row["periodic"], row["after_complaints"]) == (
        version, draft, 2, True, False,
    )
    assert row["current"].criteria_count == 4
    assert (rows[fresh.pk]["current"], rows[fresh.pk]["draft"].number, rows[fresh.pk]["responses"]) == (None, 1, 0)
