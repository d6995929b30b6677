"""The survey settings: the service (checked, audited), the page (administrators change it, the
other overseers read it) and the surveys' admin (the records read-only, a published version frozen)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amends.audit.models import AuditEntry
from amends.core.errors import AccessDenied
from amends.surveys.models import Questionnaire, SurveyPolicy
from amends.surveys.models.policy import policy
from amends.surveys.questionnaires import policy_update, questionnaire_create
from amends.surveys.recording import response_record
from amends.surveys.scoring import Rating

pytestmark = pytest.mark.django_db

FORM = {
    "k_threshold": "8", "link_valid_days": "30", "reminder_after_days": "7", "reminders_max": "2",
    "post_resolution": "", "periodic": "", "active_months": "12", "low_k_due_days": "5", "norm_min_responses": "10",
}


def policy_audit() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type="surveys.surveypolicy").order_by("seq"))


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_policy_update_changes_and_audits_only_what_changed(administrator, version):
    updated = policy_update(actor=administrator, k_threshold=Decimal("7.5"), link_valid_days=14,
                            reminders_max=2, post_resolution=version.questionnaire)
    stored = policy()
    assert (stored.k_threshold, stored.link_valid_days, stored.post_resolution_id) == (
        Decimal("7.5"), 14, version.questionnaire.pk,
    )
    assert updated.pk == stored.pk
    [entry] = policy_audit()
    assert entry.actor_pk == administrator.pk and entry.action == "change"
    assert entry.changes == {"k_threshold": ["8.00", "7.5"], "link_valid_days": [30, 14],
                             "post_resolution": [None, version.questionnaire.pk]}
    policy_update(actor=administrator, link_valid_days=14)
    assert len(policy_audit()) == 1  # nothing changed, nothing written


def test_only_administrators_change_the_settings(qms, manager):
    for user in (qms, manager):
        with pytest.raises(AccessDenied):
            policy_update(actor=user, k_threshold=Decimal(5))
    assert policy().k_threshold == Decimal(8) and not policy_audit()


@pytest.mark.parametrize(("field", "value"), [
    ("k_threshold", Decimal("10.5")), ("k_threshold", Decimal("0.5")), ("link_valid_days", 0),
    ("reminder_after_days", 0), ("active_months", 0), ("low_k_due_days", 0), ("norm_min_responses", 0),
])
def test_values_out_of_range_are_refused_and_nothing_is_stored(administrator, field, value):
    with pytest.raises(ValidationError) as raised:
        policy_update(actor=administrator, **{field: value})
    assert field in raised.value.message_dict
    stored = policy()
    assert getattr(stored, field) == SurveyPolicy._meta.get_field(field).default and not policy_audit()


def test_a_questionnaire_without_a_published_version_or_retired_is_not_sent(administrator, version):
    unpublished = questionnaire_create(actor=administrator, name="Черновик")
    with pytest.raises(ValidationError) as raised:
        policy_update(actor=administrator, periodic=unpublished)
    assert "periodic" in raised.value.message_dict
    Questionnaire.objects.filter(pk=version.questionnaire.pk).update(is_active=False)
    with pytest.raises(ValidationError) as raised:
        policy_update(actor=administrator, post_resolution=Questionnaire.objects.get(pk=version.questionnaire.pk))
    assert "post_resolution" in raised.value.message_dict
    assert policy().periodic_id is None and policy().post_resolution_id is None


def test_an_unknown_setting_is_a_programming_error(administrator):
    with pytest.raises(ValueError):
        policy_update(actor=administrator, colour="red")


def test_the_page_turns_surveys_on_for_an_administrator(administrator, version):
    client = client_of(administrator)
    page = client.get(reverse("surveys:settings")).content.decode()
    assert "Surveys are off" in page and "Customer satisfaction" in page
    response = client.post(reverse("surveys:settings"), {
        **FORM, "k_threshold": "7.5", "post_resolution": version.questionnaire.pk, "periodic": version.questionnaire.pk,
    })
    assert response.status_code == 302 and response["Location"] == reverse("surveys:settings")
    stored = policy()
    assert (stored.k_threshold, stored.post_resolution_id, stored.periodic_id) == (
        Decimal("7.5"), version.questionnaire.pk, version.questionnaire.pk,
    )
    assert "Surveys are off" not in client.get(reverse("surveys:settings")).content.decode()


def test_bad_values_on_the_page_are_said_and_nothing_is_stored(administrator, version):
    unpublished = questionnaire_create(actor=administrator, name="Черновик")
    client = client_of(administrator)
    for data in ({**FORM, "k_threshold": "11"}, {**FORM, "link_valid_days": "0"}, {**FORM, "reminders_max": "-1"},
                 {**FORM, "periodic": unpublished.pk}, {**FORM, "k_threshold": "много"}):
        response = client.post(reverse("surveys:settings"), data)
        assert response.status_code == 200 and 'role="alert"' in response.content.decode(), data
    assert policy().k_threshold == Decimal(8) and not policy_audit()
    # The unpublished questionnaire is not even offered.
    page = client.get(reverse("surveys:settings")).content.decode()
    assert f'value="{version.questionnaire.pk}"' in page and f'value="{unpublished.pk}"' not in page


def test_overseers_read_the_settings_and_others_are_refused(qms, manager, operator, responsible):
    for user in (qms, manager):
        response = client_of(user).get(reverse("surveys:settings"))
        page = response.content.decode()
        assert response.status_code == 200 and "Only administrators change these settings." in page
        assert 'name="k_threshold"' not in page
        assert client_of(user).post(reverse("surveys:settings"), {**FORM, "k_threshold": "5"}).status_code == 403
    for user in (operator, responsible):
        assert client_of(user).get(reverse("surveys:settings")).status_code == 403
    assert policy().k_threshold == Decimal(8)


def test_the_admin_opens_the_one_settings_row_and_audits_a_change(administrator, version):
    client = client_of(administrator)
    response = client.get(reverse("admin:surveys_surveypolicy_changelist"))
    assert response["Location"] == reverse("admin:surveys_surveypolicy_change", args=[1])
    response = client.post(reverse("admin:surveys_surveypolicy_change", args=[1]), {**FORM, "reminders_max": "3"})
    assert response.status_code == 302
    assert policy().reminders_max == 3
    assert policy_audit()[-1].changes["reminders_max"] == [2, 3]
    assert client.get(reverse("admin:surveys_surveypolicy_add")).status_code == 403


def test_reading_the_settings_never_writes_and_the_first_save_stores_them(qms, administrator, version):
    SurveyPolicy.objects.all().delete()  # as after a flush: no row yet
    overseer, admin = client_of(qms), client_of(administrator)  # logging in writes its session first
    with CaptureQueriesContext(connection) as captured:
        assert policy().k_threshold == Decimal(8) and policy().post_resolution is None
        for client, page in ((overseer, "settings"), (overseer, "responses"), (admin, "settings")):
            assert client.get(reverse(f"surveys:{page}")).status_code == 200
    assert not [query for query in captured if query["sql"].lstrip().upper().startswith("INSERT")]
    assert not SurveyPolicy.objects.exists()
    response = admin.post(reverse("surveys:settings"), {**FORM, "k_threshold": "7.5"})
    assert response.status_code == 302
    assert SurveyPolicy.objects.get().k_threshold == Decimal("7.5")
    assert policy_audit()[-1].changes == {"k_threshold": ["8.00", "7.5"]}


def test_the_admin_stores_the_settings_on_their_first_save(administrator, version):
    SurveyPolicy.objects.all().delete()
    client = client_of(administrator)
    assert client.get(reverse("admin:surveys_surveypolicy_change", args=[1])).status_code == 200
    assert not SurveyPolicy.objects.exists()
    response = client.post(reverse("admin:surveys_surveypolicy_change", args=[1]), {**FORM, "reminders_max": "3"})
    assert response.status_code == 302 and SurveyPolicy.objects.get().reminders_max == 3


def test_the_admin_shows_records_read_only_and_freezes_a_published_version(administrator, version, criteria,
                                                                          invitation):
    response = response_record(version=version, ratings={criteria["delivery"].pk: Rating(9, 5)}, source="link",
                               language="ru", invitation=invitation)
    client = client_of(administrator)
    for name, pk in [("response", response.pk), ("answer", response.answers.get().pk),
                     ("invitation", invitation.pk)]:
        assert client.get(reverse(f"admin:surveys_{name}_changelist")).status_code == 200
        page = client.get(reverse(f"admin:surveys_{name}_change", args=[pk]))
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode(), name
        assert client.get(reverse(f"admin:surveys_{name}_add")).status_code == 403
        assert client.post(reverse(f"admin:surveys_{name}_delete", args=[pk]), {"post": "yes"}).status_code == 403
    assert invitation.key not in client.get(reverse("admin:surveys_invitation_change", args=[invitation.pk])
                                            ).content.decode()
    page = client.get(reverse("admin:surveys_questionnaireversion_change", args=[version.pk])).content.decode()
    assert 'name="_save"' not in page
    posted = client.post(reverse("admin:surveys_criterion_change", args=[criteria["delivery"].pk]),
                         {"key": "x", "name": "X", "order": 0})
    assert posted.status_code == 403 and criteria["delivery"].name == type(criteria["delivery"]).objects.get(
        pk=criteria["delivery"].pk).name
    for name in ("questionnaire", "campaign", "followup", "criterion", "questionnaireversion"):
        assert client.get(reverse(f"admin:surveys_{name}_changelist")).status_code == 200, name


def test_the_admin_edits_a_draft_and_audits_it(administrator):
    questionnaire = questionnaire_create(actor=administrator, name="Сервис")
    draft = questionnaire.versions.get()
    client = client_of(administrator)
    url = reverse("admin:surveys_questionnaireversion_change", args=[draft.pk])
    response = client.post(url, {
        "intro": "Здравствуйте", "intro_en": "", "intro_hy": "",
        "criteria-TOTAL_FORMS": "1", "criteria-INITIAL_FORMS": "0", "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
        "criteria-0-order": "0", "criteria-0-key": "price", "criteria-0-name": "Цена",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.intro == "Здравствуйте" and list(draft.criteria.values_list("key", flat=True)) == ["price"]
    entry = AuditEntry.objects.filter(object_type="surveys.questionnaireversion", object_pk=str(draft.pk)).last()
    assert entry.changes["intro"] == ["", "Здравствуйте"] and any(key.startswith("criterion:") for key in entry.changes)
