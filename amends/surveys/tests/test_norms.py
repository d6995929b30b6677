"""The loyalty norms per quarter and segment, on answers whose shares are worked out by hand, with
another quarter that must not count; each breach told once per period, segment and norm."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from amends.accounts.roles import Role
from amends.complaints.models import Complaint
from amends.customers.models import Organisation, Product
from amends.customers.services import contact_create
from amends.notifications.models import Notification
from amends.surveys.models import SurveyPolicy
from amends.surveys.norms import Quarter, norm_check, norm_rows
from amends.surveys.recording import response_record
from amends.surveys.scoring import Rating

pytestmark = pytest.mark.django_db

MSK = ZoneInfo("Europe/Moscow")
NOV = datetime(2026, 11, 10, 12, 0, tzinfo=MSK)  # 2026-Q4
AUG = datetime(2026, 8, 10, 12, 0, tzinfo=MSK)  # 2026-Q3: the quarter before, checked for late answers
MAY = datetime(2026, 5, 10, 12, 0, tzinfo=MSK)  # 2026-Q2: never checked in Q4


@pytest.fixture
def world(criteria, contact, complaint, make_user):
    """Q4: Ромашка (commercial, Москва, the battery's card) 4 answers, one would not recommend
    (1/4 = 25 % > 20 %); Заря (state, Ереван) 4 answers, two of three who answered would leave
    (2/3 = 66.7 % > 30 %); a Тула customer 1 answer, would not recommend (too few to alert); a private
    customer 3 answers, all content. All customers: 2 of 12 would not recommend (16.7 %), 2 of 11 would
    leave (18.2 %): within both norms. Q3: Ромашка 4 answers, all would leave. Q2: Заря 4, all would not
    recommend."""
    SurveyPolicy.objects.update_or_create(pk=1, defaults={"norm_min_responses": 4})
    battery = Product.objects.create(name="Аккумулятор")
    Complaint.objects.filter(pk=complaint.pk).update(product=battery)
    complaint.refresh_from_db()
    Organisation.objects.filter(pk=contact.organisation_id).update(kind="commercial", region="Москва")
    contact.refresh_from_db()
    zarya = contact_create(full_name="Петров Пётр", email="petrov@example.ru", organisation_name="АО «Заря»")
    Organisation.objects.filter(pk=zarya.organisation_id).update(kind="state", region="Ереван")
    zarya.refresh_from_db()
    tula = contact_create(full_name="Сидоров", email="sidorov@example.ru")
    tula.region = "Тула"
    tula.save(update_fields=["region"])
    private = contact_create(full_name="Кузнецова", email="k@example.ru")
    version = next(iter(criteria.values())).version
    ratings = {criterion.pk: Rating(9, 5) for criterion in criteria.values()}

    def record(who, when, recommends, continues, card=None):
        response_record(version=version, ratings=ratings, source="paper", language="ru", contact=who,
                        complaint=card, received_at=when, recommends=recommends, continues=continues)

    for recommends in (False, True, True, True):
        record(contact, NOV, recommends, True, complaint)
    for continues in (False, False, True, None):
        record(zarya, NOV, True, continues)
    record(tula, NOV, False, True)
    for _ in range(3):
        record(private, NOV, True, True)
    for _ in range(4):
        record(contact, AUG, True, False, complaint)
        record(zarya, MAY, False, True)
    heads = [make_user("qms1", Role.QMS_HEAD), make_user("qms2", Role.QMS_HEAD)]
    return {"battery": battery, "heads": heads}


def test_quarters():
    assert Quarter.of(date(2026, 12, 31)) == Quarter("2026-Q4", date(2026, 10, 1), date(2026, 12, 31))
    assert Quarter.of(date(2026, 1, 1)).previous() == Quarter("2025-Q4", date(2025, 10, 1), date(2025, 12, 31))
    assert Quarter.of(date(2026, 5, 31)).key == "2026-Q2"


def test_the_rows_of_a_quarter_by_segment(world):
    rows = {row.key: row for row in norm_rows(date(2026, 10, 1), date(2026, 12, 31))}
    battery = f"product:{world['battery'].pk}"
    assert list(rows) == ["all", "kind:commercial", "kind:state", "region:Ереван", "region:Москва", "region:Тула",
                          battery]
    shares = {
        key: (row.summary.responses, row.summary.not_recommending, row.summary.asked_recommend,
              row.summary.not_recommending_share, row.summary.leaving, row.summary.asked_continue,
              row.summary.leaving_share, row.checked)
        for key, row in rows.items()
    }
    assert shares == {
        "all": (12, 2, 12, Decimal("16.7"), 2, 11, Decimal("18.2"), True),
        "kind:commercial": (4, 1, 4, Decimal("25.0"), 0, 4, Decimal("0.0"), True),
        "region:Москва": (4, 1, 4, Decimal("25.0"), 0, 4, Decimal("0.0"), True),
        battery: (4, 1, 4, Decimal("25.0"), 0, 4, Decimal("0.0"), True),
        "kind:state": (4, 0, 4, Decimal("0.0"), 2, 3, Decimal("66.7"), True),
        "region:Ереван": (4, 0, 4, Decimal("0.0"), 2, 3, Decimal("66.7"), True),
        "region:Тула": (1, 1, 1, Decimal("100.0"), 0, 1, Decimal("0.0"), False),
    }
    # The same counts independently, in SQL, for the quarter's days in Moscow.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), SUM(CASE WHEN recommends = %s THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN continues = %s THEN 1 ELSE 0 END), SUM(CASE WHEN continues IS NOT NULL THEN 1 ELSE 0 END)"
            " FROM surveys_response WHERE received_at >= %s AND received_at < %s",
            [False, False, datetime(2026, 10, 1, tzinfo=MSK), datetime(2027, 1, 1, tzinfo=MSK)],
        )
        assert cursor.fetchone() == (12, 2, 2, 11)
    assert not rows["all"].breached("recommend") and not rows["all"].breached("continue")
    assert rows["kind:commercial"].breached("recommend") and rows["kind:state"].breached("continue")
    assert not rows["region:Тула"].breached("recommend")  # one answer says little


def test_each_breach_is_told_to_the_qms_heads_once(world, criteria):
    battery = f"product:{world['battery'].pk}"
    breaches = norm_check(datetime(2026, 11, 20, 12, 0, tzinfo=MSK))
    expected = {
        ("2026-Q3", "all", "continue"), ("2026-Q3", "kind:commercial", "continue"),
        ("2026-Q3", "region:Москва", "continue"), ("2026-Q3", battery, "continue"),
        ("2026-Q4", "kind:commercial", "recommend"), ("2026-Q4", "region:Москва", "recommend"),
        ("2026-Q4", battery, "recommend"),
        ("2026-Q4", "kind:state", "continue"), ("2026-Q4", "region:Ереван", "continue"),
    }
    assert {(b.period, b.segment_key, b.norm) for b in breaches} == expected
    state = next(b for b in breaches if b.segment_key == "kind:state")
    assert (state.count, state.asked, state.share, state.limit) == (2, 3, Decimal("66.7"), 30)
    told = Notification.objects.filter(kind="survey_norm_breached")
    assert told.count() == 2 * len(expected)
    assert set(told.values_list("user", flat=True)) == {head.pk for head in world["heads"]}
    assert norm_check(datetime(2026, 11, 21, 12, 0, tzinfo=MSK)) == []
    assert told.count() == 2 * len(expected)
    # Two more private customers who would not recommend: now 4 of 14 (28.6 %) for all customers.
    late = contact_create(full_name="Новиков", email="n@example.ru")
    version = next(iter(criteria.values())).version
    for _ in range(2):
        response_record(version=version, ratings={criteria["delivery"].pk: Rating(9, 5)}, source="phone",
                        language="ru", contact=late, received_at=NOV, recommends=False)
    again = norm_check(datetime(2026, 11, 22, 12, 0, tzinfo=MSK))
    assert [(b.period, b.segment_key, b.norm, b.count, b.asked) for b in again] == [
        ("2026-Q4", "all", "recommend", 4, 14),
    ]


def test_in_january_the_previous_quarter_is_checked_and_the_one_before_not(world):
    breaches = norm_check(datetime(2027, 1, 15, 12, 0, tzinfo=MSK))
    assert {b.period for b in breaches} == {"2026-Q4"}


def test_an_empty_period_or_no_qms_head_tells_nobody(world):
    assert norm_check(datetime(2027, 7, 1, 12, 0, tzinfo=MSK)) == []
    assert norm_rows(date(2027, 7, 1), date(2027, 9, 30))[0].summary.responses == 0
    Notification.objects.all().delete()
    for head in world["heads"]:
        head.is_active = False
        head.save(update_fields=["is_active"])
    assert norm_check(datetime(2026, 11, 20, 12, 0, tzinfo=MSK)) == []
    assert not Notification.objects.filter(kind="survey_norm_breached").exists()


def test_the_notice_reads_in_the_heads_language(world):
    from amends.notifications.rendering import render_notification

    norm_check(datetime(2026, 11, 20, 12, 0, tzinfo=MSK))
    notice = Notification.objects.filter(kind="survey_norm_breached", key__contains="kind:state").select_related(
        "user").first()
    rendered = render_notification(notice, "en")
    assert rendered.subject == (
        "Norm breached in 2026-Q4: 66.7% would not keep working with us (State body or enterprise)"
    )
    assert "2 of 3 customers who answered the question; the norm is at most 30%." in rendered.body


def test_the_hourly_job_tells_the_breaches_and_escalates_the_overdue(world):
    import time_machine

    from amends.jobs.schedule import periodic_jobs
    from amends.jobs.tasks import surveys_norms_task

    assert "amends.jobs.tasks.surveys_norms_task" in {job.task for job in periodic_jobs()}
    # The Q2 and Q3 call-backs (would not recommend, due that working day) are long overdue by January.
    with time_machine.travel(datetime(2027, 1, 15, 12, 0, tzinfo=MSK), tick=False):
        first = surveys_norms_task.call()
        again = surveys_norms_task.call()
    assert len(first["breaches"]) == 5 and again["breaches"] == []
    # The would-not-recommend answers: Ромашка 1 and Тула 1 in Q4, Заря 4 in Q2.
    assert first["escalated"] == 6 and again["escalated"] == 0
