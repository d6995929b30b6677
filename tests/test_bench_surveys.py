"""bench/surveys.py at a tiny size, so that it cannot rot: both parts run against the test database,
their figures measured and every check holding; a wrong stored K is caught."""

from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from amends.core.queues import QUEUES
from amends.surveys.figures import default_range
from amends.surveys.models import Response
from amends.surveys.selectors import day_start
from bench import surveys

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}


@pytest.mark.django_db
def test_the_scoring_part_times_the_apps_figures_and_checks_them_against_the_rows():
    surveys.scoring_fill(responses=300, customers=12)
    assert Response.objects.count() == 300

    outcome = surveys.scoring_part(repeat=1)

    in_period = Response.objects.filter(received_at__gte=day_start(default_range(timezone.localdate())[0])).count()
    assert 0 < in_period < 300
    assert [figure.label for figure in outcome.figures] == [
        "scoring: k_by_customer over 300 responses", "scoring: k_by_customer_quarter over 300 responses",
        "scoring: by_quarter over 300 responses", "scoring: criterion_matrix over 300 responses",
        f"scoring: criterion_matrix over the {in_period} of the reports' default period",
        "scoring: k_summary over 300 responses",
    ]
    assert all(figure.met and figure.target == 3.0 for figure in outcome.figures)
    assert len(outcome.checks) == 7 and all(held for _text, held in outcome.checks), outcome.checks
    assert surveys.report([outcome]) is True


@pytest.mark.django_db
def test_a_stored_k_that_is_not_the_coefficient_of_its_answers_fails_the_check():
    surveys.scoring_fill(responses=40, customers=3)
    wrong = Response.objects.order_by("pk").first()
    Response.objects.filter(pk=wrong.pk).update(k=wrong.k + Decimal("0.0001"))

    outcome = surveys.scoring_part(repeat=1)

    failed = [text for text, held in outcome.checks if not held]
    assert failed[0].startswith("scoring: stored K = scoring.coefficient of the answers exactly for 40 of 40 "
                                "responses, to four places for 39 ")
    assert surveys.report([outcome]) is False


@override_settings(TASKS=DB_QUEUE)
def test_the_send_part_sends_every_invitation_once_through_the_worker_to_an_smtp_server(reference_data_restored):
    outcome = surveys.send_part(12)

    (figure,) = outcome.figures
    assert figure.label == "send: 12 invitations through the worker" and figure.value > 0 and figure.target == 200
    assert [held for _text, held in outcome.checks] == [True, True, True], outcome.checks


def test_a_figure_meets_its_target_by_its_unit():
    assert surveys.Figure("rate", 200, "/s", 200).met and not surveys.Figure("rate", 199, "/s", 200).met
    assert surveys.Figure("time", 2.99, "s", 3).met and not surveys.Figure("time", 3, "s", 3).met
