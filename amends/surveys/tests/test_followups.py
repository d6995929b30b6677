"""Follow-ups opened on a response, their due times on the company's calendar, closing them, the
overdue escalation and My deadlines; K worked out by hand in each test."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from amends.accounts.roles import Role
from amends.complaints.choices import Channel
from amends.complaints.models import Complaint
from amends.complaints.services.registration import complaint_register
from amends.core.errors import AccessDenied
from amends.deadlines.choices import ClockStatus
from amends.deadlines.selectors import my_deadlines
from amends.notifications.models import Notification
from amends.surveys.choices import FollowUpKind, FollowUpState, OrganisationalMeasure
from amends.surveys.followups import (
    company_calendar,
    criteria_pulling_down,
    followup_close,
    followups_escalate,
    followups_open,
    working_day_end,
)
from amends.surveys.models import FollowUp, Response, SurveyPolicy
from amends.surveys.recording import response_record
from amends.surveys.scoring import Rating

pytestmark = pytest.mark.django_db

MSK = ZoneInfo("Europe/Moscow")
# Tuesday 8 December 2026, noon in Moscow: no public holiday that week or the next.
TUESDAY_NOON = datetime(2026, 12, 8, 12, 0, tzinfo=MSK)


def answer(criteria, scores: dict[str, tuple[int, int]], **extra) -> Response:
    ratings = {criteria[key].pk: Rating(score, importance) for key, (score, importance) in scores.items()}
    extra.setdefault("source", "phone")
    return response_record(version=next(iter(criteria.values())).version, ratings=ratings, language="ru", **extra)


# reliability 5×10, delivery 9×5, courtesy 10×3, handling 6×2: Σ importance 20, weights 50/25/15/10 %,
# k = 2.5 + 2.25 + 1.5 + 0.6 = 6.85, below 8.
LOW = {"reliability": (5, 10), "delivery": (9, 5), "courtesy": (10, 3), "handling": (6, 2)}
# (10×1 + 6×1) / 2 = 8 exactly: not below the threshold.
EIGHT = {"reliability": (10, 1), "delivery": (6, 1)}


@pytest.fixture
def card(complaint, responsible) -> Complaint:
    Complaint.objects.filter(pk=complaint.pk).update(responsible=responsible)
    complaint.refresh_from_db()
    return complaint


def test_a_low_k_opens_a_follow_up_for_the_cards_responsible_person_told_once(criteria, contact, card, responsible):
    with time_machine.travel(TUESDAY_NOON, tick=False):
        response = answer(criteria, LOW, contact=contact, complaint=card, recommends=True)
    assert response.k == Decimal("6.8500")
    followup = FollowUp.objects.get(response=response)
    assert (followup.kind, followup.owner, followup.state) == (FollowUpKind.LOW_K, responsible, FollowUpState.OPEN)
    # Five working days after Tuesday the 8th (9, 10, 11, 14, 15), at the end of the working day, 18:00.
    assert followup.due_at == datetime(2026, 12, 15, 18, 0, tzinfo=MSK)
    notice = Notification.objects.get(user=responsible, kind="survey_low_k")
    assert notice.key == f"survey_follow_up:{followup.pk}"
    assert followups_open(response) == []  # never two per response and kind
    assert FollowUp.objects.filter(response=response).count() == 1
    assert Notification.objects.filter(user=responsible).count() == 1


def test_would_not_recommend_opens_a_call_back_due_the_same_working_day(criteria, contact, card, responsible):
    with time_machine.travel(TUESDAY_NOON, tick=False):
        response = answer(criteria, EIGHT, contact=contact, complaint=card, recommends=False)
    (followup,) = FollowUp.objects.filter(response=response)  # K = 8 exactly opens no low-K follow-up
    assert followup.kind == FollowUpKind.CALL_BACK
    assert followup.due_at == datetime(2026, 12, 8, 18, 0, tzinfo=MSK)
    assert Notification.objects.filter(user=responsible, kind="survey_call_back").count() == 1


def test_both_follow_ups_when_k_is_low_and_they_would_not_recommend(criteria, contact, card):
    response = answer(criteria, LOW, contact=contact, complaint=card, recommends=False)
    assert sorted(response.follow_ups.values_list("kind", flat=True)) == [FollowUpKind.CALL_BACK, FollowUpKind.LOW_K]
    assert followups_open(response) == []


def test_no_follow_up_for_a_good_answer_or_an_unanswered_question(criteria, contact):
    answer(criteria, EIGHT, contact=contact, recommends=None)
    answer(criteria, {"reliability": (9, 3)}, contact=contact, recommends=True)
    assert not FollowUp.objects.exists()


def test_the_threshold_is_the_policys(criteria, contact):
    SurveyPolicy.objects.update_or_create(pk=1, defaults={"k_threshold": Decimal("6.85")})
    answer(criteria, LOW, contact=contact)  # 6.85 is not below 6.85
    SurveyPolicy.objects.filter(pk=1).update(k_threshold=Decimal("6.86"))
    low = answer(criteria, LOW, contact=contact)
    assert list(FollowUp.objects.values_list("response", flat=True)) == [low.pk]


def test_without_a_responsible_person_the_first_head_of_the_qms_owns_it(criteria, contact, make_user):
    first = make_user("qms1", Role.QMS_HEAD)
    make_user("qms2", Role.QMS_HEAD)
    make_user("gone", Role.QMS_HEAD, is_active=False)
    response = answer(criteria, LOW, contact=contact)
    assert FollowUp.objects.get(response=response).owner == first


def test_a_response_without_a_card_goes_to_the_responsible_person_of_the_customers_latest_card(
    criteria, contact, operator, responsible, make_user, qms,
):
    older, latest = (complaint_register(actor=operator, channel=Channel.PHONE, contact=contact, wording=wording)
                     for wording in ("Первая жалоба", "Вторая жалоба"))
    Complaint.objects.filter(pk=older.pk).update(responsible=make_user("earlier", Role.RESPONSIBLE))
    Complaint.objects.filter(pk=latest.pk).update(responsible=responsible)
    response = answer(criteria, LOW, contact=contact, recommends=False)  # a chosen customers' campaign: no card
    assert set(FollowUp.objects.filter(response=response).values_list("owner", flat=True)) == {responsible.pk}


def test_a_score_out_of_range_or_no_importance_stores_nothing_and_opens_nothing(criteria, contact):
    with pytest.raises(ValidationError):
        answer(criteria, {"reliability": (11, 5)}, contact=contact, recommends=False)
    with pytest.raises(ValidationError):
        answer(criteria, {"reliability": (2, 0), "delivery": (3, 0)}, contact=contact, recommends=False)
    assert not Response.objects.exists() and not FollowUp.objects.exists()


@pytest.mark.parametrize(("now", "days", "due"), [
    (datetime(2026, 12, 8, 12, 0, tzinfo=MSK), 0, datetime(2026, 12, 8, 18, 0, tzinfo=MSK)),
    (datetime(2026, 12, 8, 7, 0, tzinfo=MSK), 0, datetime(2026, 12, 8, 18, 0, tzinfo=MSK)),  # before opening
    (datetime(2026, 12, 11, 19, 0, tzinfo=MSK), 0, datetime(2026, 12, 14, 18, 0, tzinfo=MSK)),  # Friday after hours
    (datetime(2026, 12, 12, 10, 0, tzinfo=MSK), 0, datetime(2026, 12, 14, 18, 0, tzinfo=MSK)),  # Saturday
    (datetime(2026, 12, 11, 10, 0, tzinfo=MSK), 1, datetime(2026, 12, 14, 18, 0, tzinfo=MSK)),
    (datetime(2026, 12, 8, 12, 0, tzinfo=MSK), 5, datetime(2026, 12, 15, 18, 0, tzinfo=MSK)),
    # 31 December 2026 and the New Year holidays are days off on the Russian production calendar.
    (datetime(2026, 12, 30, 12, 0, tzinfo=MSK), 1, datetime(2027, 1, 11, 18, 0, tzinfo=MSK)),
])
def test_the_working_day_ends_on_the_companys_calendar(now, days, due):
    assert working_day_end(now, company_calendar(), days) == due


def test_what_pulled_k_down_the_largest_weighted_shortfall_first(criteria, contact):
    response = answer(criteria, {**LOW, "courtesy": (2, 0)}, contact=contact)
    # Σ importance 17: reliability 5×10 → weight 58.82 %, shortfall (8 − 5) × 10/17 = 1.76;
    # handling 6×2 → 11.76 %, (8 − 6) × 2/17 = 0.24; delivery scores 9 (above); courtesy weighs 0.
    rows = criteria_pulling_down(response)
    assert [(row.score, row.importance, row.weight, row.shortfall) for row in rows] == [
        (5, 10, Decimal("58.82"), Decimal("1.76")), (6, 2, Decimal("11.76"), Decimal("0.24")),
    ]
    assert rows[0].criterion_name == "Надёжность оборудования"
    assert rows[0].k == Decimal("2.94")  # 5 × 10/17


def test_a_call_back_closes_with_why_and_the_result(criteria, contact, card, responsible, operator):
    response = answer(criteria, EIGHT, contact=contact, complaint=card, recommends=False)
    followup = FollowUp.objects.get(response=response)
    with pytest.raises(ValidationError):
        followup_close(followup, actor=responsible, reason="Доставка опаздывает")  # no result
    with pytest.raises(ValidationError):
        followup_close(followup, actor=responsible, result="Позвонили")  # no reason
    with pytest.raises(AccessDenied):
        followup_close(followup, actor=operator, reason="x", result="y")
    followup_close(followup, actor=responsible, reason=" Доставка опаздывает ", suggestion="Склад ближе",
                   result="Извинились, обещали сроки")
    followup.refresh_from_db()
    assert (followup.state, followup.reason, followup.suggestion, followup.closed_by) == (
        FollowUpState.DONE, "Доставка опаздывает", "Склад ближе", responsible,
    )
    assert followup.closed_at is not None
    with pytest.raises(ValidationError):
        followup_close(followup, actor=responsible, reason="again", result="again")


def test_a_low_k_closes_with_a_measure_or_a_result_by_the_qms_head_too(criteria, contact, card, qms):
    response = answer(criteria, LOW, contact=contact, complaint=card)
    followup = FollowUp.objects.get(response=response)
    with pytest.raises(ValidationError):
        followup_close(followup, actor=qms)
    with pytest.raises(ValidationError):
        followup_close(followup, actor=qms, measures=["bonus"])
    followup_close(followup, actor=qms, measures=[OrganisationalMeasure.EQUIPMENT, OrganisationalMeasure.EQUIPMENT])
    followup.refresh_from_db()
    assert followup.measures == [OrganisationalMeasure.EQUIPMENT]
    assert followup.state == FollowUpState.DONE


def test_an_overdue_follow_up_is_escalated_to_the_qms_heads_once(criteria, contact, card, qms, make_user):
    from amends.accounts.roles import Role

    other_head = make_user("qms2", Role.QMS_HEAD)
    with time_machine.travel(TUESDAY_NOON, tick=False):
        response = answer(criteria, LOW, contact=contact, complaint=card, recommends=False)
    call_back = response.follow_ups.get(kind=FollowUpKind.CALL_BACK)
    assert followups_escalate(datetime(2026, 12, 8, 17, 59, tzinfo=MSK)) == 0
    assert followups_escalate(datetime(2026, 12, 8, 18, 0, tzinfo=MSK)) == 1
    assert followups_escalate(datetime(2026, 12, 9, 18, 0, tzinfo=MSK)) == 0
    told = Notification.objects.filter(kind="survey_follow_up_overdue")
    assert sorted(told.values_list("user", "key")) == sorted(
        [(head.pk, f"survey_follow_up_overdue:{call_back.pk}") for head in (qms, other_head)]
    )
    # The low-K one falls due a week later; a closed one never escalates.
    low = response.follow_ups.get(kind=FollowUpKind.LOW_K)
    followup_close(low, actor=qms, result="Проведено совещание")
    assert followups_escalate(datetime(2026, 12, 20, 12, 0, tzinfo=MSK)) == 0


def surveys_deadlines(user, now):
    """My deadlines of the follow-ups (the card's own clocks are the deadlines app's)."""
    return [d for d in my_deadlines(user, now) if d.url.startswith("/surveys/")]


def test_my_deadlines_show_the_owners_open_follow_ups(criteria, contact, card, responsible, qms):
    with time_machine.travel(TUESDAY_NOON, tick=False):
        response = answer(criteria, LOW, contact=contact, complaint=card, recommends=False)
    call_back = response.follow_ups.get(kind=FollowUpKind.CALL_BACK)
    # At 17:00 the call-back (opened at noon, due 18:00) is past 75 % of its time: at risk.
    deadlines = surveys_deadlines(responsible, datetime(2026, 12, 8, 17, 0, tzinfo=MSK))
    assert [(d.url, d.status) for d in deadlines] == [
        (f"/surveys/follow-ups/{call_back.pk}/", ClockStatus.AT_RISK),
        (f"/surveys/follow-ups/{response.follow_ups.get(kind=FollowUpKind.LOW_K).pk}/", ClockStatus.ON_TRACK),
    ]
    assert deadlines[0].time_left == timedelta(hours=1)
    assert surveys_deadlines(qms, datetime(2026, 12, 8, 17, 0, tzinfo=MSK)) == []
    followup_close(call_back, actor=responsible, reason="Цена", result="Предложили скидку")
    later = surveys_deadlines(responsible, datetime(2026, 12, 16, 9, 0, tzinfo=MSK))
    assert [d.status for d in later] == [ClockStatus.BREACHED]


def test_the_notices_read_in_the_readers_language(criteria, contact, card, responsible, qms):
    from amends.notifications.rendering import render_notification

    with time_machine.travel(TUESDAY_NOON, tick=False):
        response = answer(criteria, LOW, contact=contact, complaint=card, recommends=False)
    followups_escalate(datetime(2026, 12, 9, 9, 0, tzinfo=MSK))
    low, call_back, overdue = (
        render_notification(Notification.objects.select_related("user", "complaint").get(kind=kind), "en")
        for kind in ("survey_low_k", "survey_call_back", "survey_follow_up_overdue")
    )
    assert low.subject == f"Satisfaction below the threshold: {contact}, K = 6.85"
    assert "Due: 15 Dec 2026 18:00" in low.body
    assert call_back.subject == f"Call back today: {contact} would not recommend us"
    url = f"/surveys/follow-ups/{response.follow_ups.get(kind=FollowUpKind.CALL_BACK).pk}/"
    assert url in call_back.body and url in overdue.body
    assert overdue.subject == f"Overdue call-back: {contact}"
    assert "It was due 8 Dec 2026 18:00 and is still open. Owner: Responsible." in overdue.body
