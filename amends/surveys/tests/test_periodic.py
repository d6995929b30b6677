"""The periodic campaigns: from 1 January and 1 July the six-monthly one of the active customers, from
each quarter's first day the quarterly one of the low-K customers; each once, started at once."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from amends.complaints.choices import Channel
from amends.complaints.services import complaint_register
from amends.customers.services import contact_create
from amends.jobs.schedule import PERIODIC
from amends.jobs.tasks import surveys_campaigns_task
from amends.surveys.choices import CampaignKind, CampaignState
from amends.surveys.figures import quarter_key
from amends.surveys.models import Campaign, QuestionnaireVersion, SurveyPolicy
from amends.surveys.periodic import campaigns_sweep, half_year_key
from amends.surveys.recording import response_record
from amends.surveys.scoring import Rating

pytestmark = pytest.mark.django_db


def at(year, month, day, hour=9):
    return timezone.make_aware(datetime(year, month, day, hour))


@pytest.fixture
def customers(operator, version):
    """Active: Anna (K 6, low), Boris (K 9); Vera's only card is too old, but her last K was 5."""
    def customer(name, received_at, k=None):
        contact = contact_create(full_name=name, email=f"{name.lower()}@example.ru")
        complaint_register(actor=operator, channel=Channel.EMAIL, contact=contact, wording=f"Жалоба {name}",
                           received_at=received_at, duplicates="caller")
        if k is not None:
            response_record(version=version, ratings={c.pk: Rating(k, 5) for c in version.criteria.all()},
                            source="paper", language="ru", contact=contact,
                            received_at=received_at + timedelta(days=20))
        return contact

    return {
        "anna": customer("Anna", at(2026, 9, 1), k=6), "boris": customer("Boris", at(2026, 10, 1), k=9),
        "vera": customer("Vera", at(2024, 1, 10), k=5),
    }


@pytest.fixture
def periodic_on(version):
    SurveyPolicy.objects.update_or_create(pk=1, defaults={"periodic": version.questionnaire})


def audience(campaign) -> set[str]:
    return set(campaign.invitations.values_list("contact__full_name", flat=True))


def test_the_period_keys():
    assert [half_year_key(d) for d in (at(2026, 6, 30).date(), at(2026, 7, 1).date())] == ["2026-H1", "2026-H2"]
    assert [quarter_key(at(2026, m, 1).date()) for m in (1, 3, 4, 7, 12)] == [
        "2026-Q1", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4",
    ]


def test_nothing_starts_without_the_periodic_questionnaire_or_a_published_version(customers, version):
    assert campaigns_sweep(at(2027, 1, 1)) == []
    draft_only = QuestionnaireVersion.objects.create(questionnaire=version.questionnaire, number=2).questionnaire
    draft_only.versions.filter(number=1).update(published_at=None)
    SurveyPolicy.objects.update_or_create(pk=1, defaults={"periodic": draft_only})
    assert campaigns_sweep(at(2027, 1, 1)) == []
    assert not Campaign.objects.exists()


def test_from_1_january_both_start_once_and_the_quarterly_leaves_out_who_the_six_monthly_asks(
    customers, periodic_on, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        started = campaigns_sweep(at(2027, 1, 1, 0))
    assert [(c.kind, c.period, c.state) for c in started] == [
        (CampaignKind.SEMIANNUAL, "2027-H1", CampaignState.SENDING),
        (CampaignKind.QUARTERLY_LOW, "2027-Q1", CampaignState.SENDING),
    ]
    semiannual, quarterly = started
    assert audience(semiannual) == {"Anna", "Boris"}  # active in the last 12 months
    assert audience(quarterly) == {"Vera"}  # Anna is low too, but asked by the six-monthly one this quarter
    assert campaigns_sweep(at(2027, 1, 1, 1)) == []
    assert campaigns_sweep(at(2027, 3, 31, 23)) == []
    assert Campaign.objects.count() == 2


def test_from_each_quarters_first_day_the_quarterly_one_of_the_low_k_customers(customers, periodic_on):
    campaigns_sweep(at(2027, 1, 1))  # 2027-H1 and 2027-Q1
    started = campaigns_sweep(at(2027, 4, 1, 0))
    assert [(c.kind, c.period) for c in started] == [(CampaignKind.QUARTERLY_LOW, "2027-Q2")]
    assert audience(started[0]) == {"Anna", "Vera"}
    started = campaigns_sweep(at(2027, 7, 1, 0))
    assert [(c.kind, c.period) for c in started] == [
        (CampaignKind.SEMIANNUAL, "2027-H2"), (CampaignKind.QUARTERLY_LOW, "2027-Q3"),
    ]
    assert (audience(started[0]), audience(started[1])) == ({"Anna", "Boris"}, {"Vera"})

def test_a_worker_down_on_the_first_day_starts_them_late_all_the_same(customers, periodic_on):
    started = campaigns_sweep(at(2027, 2, 15))
    assert [(c.kind, c.period) for c in started] == [
        (CampaignKind.SEMIANNUAL, "2027-H1"), (CampaignKind.QUARTERLY_LOW, "2027-Q1"),
    ]


def test_the_hourly_job_runs_the_sweep(customers, periodic_on):
    assert any(job.task == "amends.jobs.tasks.surveys_campaigns_task" and job.every == timedelta(hours=1)
               for job in PERIODIC)
    surveys_campaigns_task.enqueue()
    today = timezone.localdate()
    assert set(Campaign.objects.values_list("period", flat=True)) == {half_year_key(today), quarter_key(today)}
