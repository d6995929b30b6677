"""Compensation within each role's limit, the QMS head's approval above it, the timeline entries,
the notifications and the send check (DOMAIN.md §6)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from amends.answers.checks import letter_problems
from amends.answers.choices import CompensationKind, GrantStatus, Outcome
from amends.answers.compensation import (
    allowances,
    approved_grants,
    compensation_approve,
    compensation_grant,
    compensation_granted,
    compensation_refuse,
    pending_grants,
)
from amends.answers.models import CompensationOption, Letter
from amends.complaints.choices import EventKind, State
from amends.core.errors import AccessDenied, TransitionNotAllowed, ValidationError
from amends.notifications.models import Notification
from amends.notifications.rendering import render_notification


def option(kind: str) -> CompensationOption:
    return CompensationOption.objects.get(kind=kind)


def grant(complaint, actor, kind, value, **kwargs):
    kwargs.setdefault("method", "handed over in the shop")
    kwargs.setdefault("due_date", timezone.localdate() + timedelta(days=3))
    return compensation_grant(complaint=complaint, actor=actor, option=option(kind), value=Decimal(value),
                              note=kwargs.pop("note", ""), **kwargs)


def entries(complaint) -> list:
    return list(complaint.events.filter(kind=EventKind.COMPENSATION).order_by("pk"))


@pytest.fixture
def assigned(walk):
    return walk(None, State.ASSIGNED)


def test_the_catalogue_is_seeded_with_limits_per_role(operator, responsible, qms):
    assert set(CompensationOption.objects.values_list("kind", flat=True)) == set(CompensationKind.values)
    mine = {a.option.kind: a.limit for a in allowances(operator)}
    # Operators grant the cheap ones on the spot; money and goods go to the responsible person.
    assert mine == {
        "apology_card": Decimal("1000"), "gift": Decimal("1000"), "free_delivery": Decimal("1000"),
        "voucher": Decimal("2000"),
    }
    assert {a.option.kind: a.limit for a in allowances(responsible)}["refund"] == Decimal("10000")
    assert {a.limit for a in allowances(qms)} == {None}  # the QMS head grants without limit
    assert len(allowances(qms)) == len(CompensationKind.values)


def test_a_user_with_two_roles_has_the_higher_limit(make_user, django_assert_num_queries):
    both = make_user("both", "operator", "responsible")
    both.group_names  # noqa: B018 - the roles, read once per request before
    with django_assert_num_queries(1):  # the limits with their options, in the options' order
        mine = allowances(both)
    assert [a.option for a in mine] == list(CompensationOption.objects.filter(pk__in=[a.option.pk for a in mine]))
    assert {a.option.kind: a.limit for a in mine}["voucher"] == Decimal("5000")


def test_within_the_limit_is_granted_at_once_and_on_the_timeline(
    complaint, operator, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        made = grant(complaint, operator, "apology_card", "800", method="sent with the answer")
    assert made.status == GrantStatus.APPROVED and made.decided_by is None
    assert not Notification.objects.filter(kind="compensation_pending").exists()
    [entry] = entries(complaint)
    assert entry.actor == operator and entry.code == "granted"
    with translation.override("en"):
        assert entry.text_display.startswith("Compensation granted: ")
        assert "800.00 RUB (sent with the answer, by " in entry.text_display
    due = made.due_date
    with translation.override("en"):
        assert f"by {due.day} {due:%b %Y})." in entry.text_display
    # Read in Russian: the Russian number and date formats (the wording comes with the catalogue).
    with translation.override("ru"):
        assert "800,00 RUB" in entry.text_display and f"{due:%d.%m.%Y}" in entry.text_display


@translation.override("en")  # its messages are asserted in English
def test_a_role_without_a_limit_row_may_not_grant_the_option(complaint, operator):
    with pytest.raises(AccessDenied, match="may not grant"):
        grant(complaint, operator, CompensationKind.REFUND, "100")
    assert not complaint.compensations.exists()


def test_only_the_people_on_the_card_grant(complaint, make_user):
    other = make_user("other_operator", "operator")  # did not register this card
    with pytest.raises(AccessDenied):
        grant(complaint, other, "gift", "100")


@pytest.mark.parametrize(("field", "values"), [
    ("value", {"value": "0"}),
    ("method", {"method": "  "}),
    ("due_date", {"due_date": timezone.localdate() - timedelta(days=1)}),
])
def test_bad_values_are_refused_with_a_clear_error(complaint, operator, field, values):
    kwargs = {"value": values.pop("value", "100"), **values}
    with pytest.raises(ValidationError) as error:
        grant(complaint, operator, "gift", **kwargs)
    assert field in error.value.message_dict
    assert not complaint.compensations.exists()


def test_above_the_limit_waits_for_the_qms_head_who_approves_it(
    assigned, responsible, qms, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        made = grant(assigned, responsible, "voucher", "6000")
    assert made.status == GrantStatus.PENDING
    assert list(pending_grants()) == [made]
    notice = Notification.objects.get(kind="compensation_pending")
    assert notice.user == qms and notice.complaint == assigned
    text = render_notification(notice, "en")
    assert text.subject == f"Compensation on complaint {assigned.number} waits for your approval"
    assert "Responsible proposes" in text.body and "6,000.00 RUB" in text.body and "5,000.00 RUB" in text.body
    assert "/answers/compensation/pending/" in text.body
    assert entries(assigned)[-1].code == "pending"

    with django_capture_on_commit_callbacks(execute=True):
        compensation_approve(grant=made, actor=qms)
    made.refresh_from_db()
    assert (made.status, made.decided_by) == (GrantStatus.APPROVED, qms)
    told = Notification.objects.get(kind="compensation_decided")
    assert told.user == responsible
    assert render_notification(told, "en").subject == f"Compensation on complaint {assigned.number} approved"
    with translation.override("en"):
        assert entries(assigned)[-1].text_display.startswith("Compensation approved: ")
        assert "granted by Responsible" in entries(assigned)[-1].text_display
    with pytest.raises(TransitionNotAllowed):
        compensation_refuse(grant=made, actor=qms, reason="late")


def test_a_refusal_needs_a_reason_and_tells_the_granter(assigned, responsible, qms, django_capture_on_commit_callbacks):
    made = grant(assigned, responsible, "refund", "20000")
    with pytest.raises(ValidationError):
        compensation_refuse(grant=made, actor=qms, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        compensation_refuse(grant=made, actor=qms, reason="The price was 15 000.")
    made.refresh_from_db()
    assert made.status == GrantStatus.REFUSED and made.decision_reason == "The price was 15 000."
    told = Notification.objects.get(kind="compensation_decided")
    assert "Reason: The price was 15 000." in render_notification(told, "en").body
    with translation.override("ru"):
        assert "20 000,00 RUB" in entries(assigned)[-1].text_display.replace("\xa0", " ")


def test_only_the_qms_head_approves(assigned, responsible):
    made = grant(assigned, responsible, "refund", "20000")
    with pytest.raises(AccessDenied):
        compensation_approve(grant=made, actor=responsible)
    made.refresh_from_db()
    assert made.status == GrantStatus.PENDING


def test_the_qms_head_grants_any_value_at_once(complaint, qms):
    assert grant(complaint, qms, "refund", "500000").status == GrantStatus.APPROVED


def test_a_letter_is_not_sent_while_a_grant_waits(assigned, responsible, qms):
    letter = Letter.objects.create(complaint=assigned, outcome=Outcome.SATISFIED, language="en",
                                   subject="Your complaint", body="Thank you.")
    made = grant(assigned, responsible, "refund", "20000")
    problems = [p for p in letter_problems(letter) if p.code == "compensation:pending"]
    assert len(problems) == 1
    assert problems[0].url == "#panel-compensation" and not problems[0].overridable
    assert list(approved_grants(assigned)) == []
    compensation_approve(grant=made, actor=qms)
    assert not [p for p in letter_problems(letter) if p.code == "compensation:pending"]
    assert list(approved_grants(assigned)) == [made]  # what the letter's compensation element names


def test_the_week_counts_what_was_given(assigned, responsible, qms):
    start = timezone.now() - timedelta(hours=1)
    grant(assigned, responsible, "voucher", "1000")
    grant(assigned, responsible, "voucher", "1500")
    refused = grant(assigned, responsible, "refund", "20000")
    compensation_refuse(grant=refused, actor=qms, reason="no")
    grant(assigned, responsible, "refund", "30000")  # still waiting: not given
    figures = compensation_granted(start, timezone.now() + timedelta(hours=1))
    assert [(f.option, f.count, f.value) for f in figures] == [
        (option("voucher").name, 2, Decimal("2500.00")),
    ]
