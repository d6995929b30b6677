"""A nonconformity's actions through the API: plan, report, cancel, reschedule, complete the plan,
the evidence and the effectiveness check; a card's measure promoted to an action."""

from datetime import timedelta

from django.utils import timezone

from amends.capa.choices import ActionStatus
from amends.capa.models import Action, EffectivenessCheck, Nonconformity
from amends.complaints.choices import State
from amends.complaints.models import Measure

from .capa_fixtures import due, rec
from .helpers import url


def plan(client, record, **fields):
    body = {"owner": fields.pop("owner"), "description": "Change the cell supplier",
            "due_date": due().isoformat(), **fields}
    return client.post(rec(record, "actions"), body, format="json")


def test_the_manager_plans_an_action_with_the_default_check_date(api, owner, analysed):
    response = plan(api(owner), analysed, owner=owner.pk, kind="preventive")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "preventive" and body["status"] == "planned" and body["owner"]["id"] == owner.pk
    assert body["check_on"] == (due() + timedelta(days=90)).isoformat() and body["checks"] == []


def test_bad_dates_are_400_and_nothing_planned(api, owner, analysed):
    past = plan(api(owner), analysed, owner=owner.pk, due_date=(timezone.localdate() - timedelta(days=1)).isoformat())
    assert past.status_code == 400
    assert past.json()["errors"]["due_date"] == ["The due date has passed: choose today or a later day."]
    early_check = plan(api(owner), analysed, owner=owner.pk, check_on=due(-1).isoformat())
    assert early_check.status_code == 400 and "check_on" in early_check.json()["errors"]
    assert not Action.objects.exists()


def test_only_the_manager_plans(api, manager, stranger, owner, analysed):
    assert plan(api(manager), analysed, owner=owner.pk).status_code == 403
    assert plan(api(stranger), analysed, owner=owner.pk).status_code == 404


def test_plan_complete_needs_an_action(api, owner, analysed):
    empty = api(owner).post(rec(analysed, "actions/complete"), format="json")
    assert empty.status_code == 400
    assert empty.json()["errors"]["non_field_errors"] == ["Plan at least one action before completing the plan."]
    plan(api(owner), analysed, owner=owner.pk)
    complete = api(owner).post(rec(analysed, "actions/complete"), format="json")
    assert complete.status_code == 200 and complete.json()["state"] == "actions_planned"


def test_the_actions_owner_reports_and_the_record_takes_actions_done(api, owner, executor, analysed):
    action_id = plan(api(owner), analysed, owner=executor.pk).json()["id"]
    api(owner).post(rec(analysed, "actions/complete"), format="json")
    client = api(executor)  # owns the action only: sees the record, reports on their action
    empty = client.post(rec(analysed, f"actions/{action_id}/report"), {"report": " "}, format="json")
    assert empty.status_code == 400 and "report" in empty.json()["errors"]
    progress = client.post(rec(analysed, f"actions/{action_id}/report"), {"report": "Ordered"}, format="json")
    assert progress.status_code == 200 and progress.json()["status"] == "in_progress"
    done = client.post(rec(analysed, f"actions/{action_id}/report"), {"report": "Changed", "done": True},
                       format="json")
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["done_at"]
    assert client.get(rec(analysed)).json()["state"] == "actions_done"
    again = client.post(rec(analysed, f"actions/{action_id}/report"), {"report": "More"}, format="json")
    assert again.status_code == 400
    assert client.post(rec(analysed, f"actions/{action_id}/cancel"), {"reason": "No"}, format="json").status_code == 403


def test_cancel_needs_a_reason_and_reschedule_a_future_date(api, owner, analysed):
    action_id = plan(api(owner), analysed, owner=owner.pk).json()["id"]
    client = api(owner)
    no_reason = client.post(rec(analysed, f"actions/{action_id}/cancel"), {"reason": ""}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    past = client.post(rec(analysed, f"actions/{action_id}/reschedule"),
                       {"due_date": (timezone.localdate() - timedelta(days=2)).isoformat()}, format="json")
    assert past.status_code == 400 and "due_date" in past.json()["errors"]
    moved = client.post(rec(analysed, f"actions/{action_id}/reschedule"), {"due_date": due(20).isoformat()},
                        format="json")
    assert moved.status_code == 200 and moved.json()["due_date"] == due(20).isoformat()
    cancelled = client.post(rec(analysed, f"actions/{action_id}/cancel"), {"reason": "Not needed"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert client.post(rec(analysed, "actions/999999/cancel"), {"reason": "x"}, format="json").status_code == 404


def test_no_evidence_nor_check_before_the_action_is_done(api, owner, analysed):
    action_id = plan(api(owner), analysed, owner=owner.pk).json()["id"]
    evidence = api(owner).get(rec(analysed, f"actions/{action_id}/evidence"))
    assert evidence.status_code == 400
    check = api(owner).post(rec(analysed, f"actions/{action_id}/check"), {"effective": True, "comment": "Fine"},
                            format="json")
    assert check.status_code == 400
    assert check.json()["errors"]["non_field_errors"] == [
        "The action is not done yet: its effectiveness is checked once it is done."]
    assert not EffectivenessCheck.objects.exists()


def test_the_evidence_counts_the_suppliers_cards_before_and_after(api, owner, done_action, classified, supplier):
    now = timezone.now()
    Action.objects.filter(pk=done_action.pk).update(done_at=now - timedelta(days=10))
    before = classified(supplier=supplier, received_at=now - timedelta(days=15))
    after = classified(supplier=supplier, received_at=now - timedelta(days=5))
    classified(supplier=supplier, received_at=now - timedelta(days=4), state=State.DUPLICATE)  # never counted
    body = api(owner).get(rec(done_action.nonconformity, f"actions/{done_action.pk}/evidence")).json()
    assert body["early"] is True
    assert body["dimensions"] == [{"dimension": "supplier", "label": str(supplier), "before": [before.number],
                                   "after": [after.number], "count_before": 1, "count_after": 1}]


def test_the_check_effective_then_close_or_not_effective_reopens(api, qms, owner, done_action):
    record = done_action.nonconformity
    path = rec(record, f"actions/{done_action.pk}/check")
    no_comment = api(owner).post(path, {"effective": True, "comment": ""}, format="json")
    assert no_comment.status_code == 400 and "comment" in no_comment.json()["errors"]
    not_effective = api(owner).post(path, {"effective": False, "comment": "Still swelling"}, format="json")
    assert not_effective.status_code == 201 and not_effective.json()["evidence"]["dimensions"]
    assert Nonconformity.objects.get(pk=record.pk).state == "open"
    assert Action.objects.get(pk=done_action.pk).status == ActionStatus.PLANNED
    assert api(owner).post(path, {"effective": True, "comment": "Fine"}, format="json").status_code == 400


def test_all_effective_the_record_is_checked_and_the_head_closes_it(api, qms, owner, done_action):
    record = done_action.nonconformity
    checked = api(owner).post(rec(record, f"actions/{done_action.pk}/check"), {"effective": True, "comment": "Gone"},
                              format="json")
    assert checked.status_code == 201
    assert api(qms).post(rec(record, "steps"), {"step": "close"}, format="json").json()["state"] == "closed"


def test_a_cards_measure_promoted_once(api, qms, responsible, stranger, assigned, executor):
    measure = Measure.objects.create(complaint=assigned, description="Check every battery", executor=executor,
                                     due_date=due())
    path = url(assigned, f"measures/{measure.pk}/promote")
    assert api(stranger).post(path, {}, format="json").status_code == 404
    promoted = api(responsible).post(path, {"title": "Batteries"}, format="json")
    assert promoted.status_code == 201, promoted.json()
    assert promoted.json()["measure"] == measure.pk and promoted.json()["owner"]["id"] == executor.pk
    record = Action.objects.get(pk=promoted.json()["id"]).nonconformity
    assert record.title == "Batteries" and list(record.complaints.all()) == [assigned]
    twice = api(responsible).post(path, {}, format="json")
    assert twice.status_code == 400 and record.number in twice.json()["errors"]["non_field_errors"][0]


def test_promoting_to_an_unknown_record_is_400(api, responsible, assigned, executor):
    measure = Measure.objects.create(complaint=assigned, description="Check", executor=executor, due_date=due())
    response = api(responsible).post(url(assigned, f"measures/{measure.pk}/promote"),
                                     {"nonconformity": "NC-2026-0404"}, format="json")
    assert response.status_code == 400 and "nonconformity" in response.json()["errors"]
    assert not Nonconformity.objects.exists()


def test_the_record_costs_the_same_queries_whatever_its_actions(api, owner, analysed, django_assert_max_num_queries):
    client = api(owner)
    plan(client, analysed, owner=owner.pk)
    client.get(rec(analysed))
    with django_assert_max_num_queries(20) as few:
        assert client.get(rec(analysed)).status_code == 200
    baseline = len(few.captured_queries)  # now: each request clears the log
    for _ in range(5):
        action_id = plan(client, analysed, owner=owner.pk).json()["id"]
        client.post(rec(analysed, f"actions/{action_id}/report"), {"report": "Done", "done": True}, format="json")
    with django_assert_max_num_queries(baseline):
        assert len(client.get(rec(analysed)).json()["actions"]) == 6
