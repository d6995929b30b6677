"""Measures through the API: the services, role rules and errors of the card's measure forms."""

from datetime import timedelta

import pytest
from django.utils import timezone

from amends.complaints.choices import EventKind
from amends.complaints.models import Measure
from amends.complaints.services import complaint_transition, measure_add

from .helpers import url


def due(days: int = 7) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def plan(client, complaint, **data):
    return client.post(url(complaint, "measures"), data, format="json")


def measure_url(complaint, measure, part: str = "") -> str:
    return url(complaint, f"measures/{getattr(measure, 'pk', measure)}") + (f"{part}/" if part else "")


@pytest.fixture
def planned(decided_justified, responsible, executor):
    return measure_add(complaint=decided_justified, actor=responsible, description="Сменить упаковку",
                       executor=executor, due_date=timezone.localdate() + timedelta(days=5))


@pytest.fixture
def approved(planned, responsible, qms):
    complaint_transition(complaint=planned.complaint, name="plan", actor=responsible)
    complaint_transition(complaint=planned.complaint, name="approve", actor=qms)
    return Measure.objects.select_related("complaint").get(pk=planned.pk)


def test_responsible_plans_a_measure_and_the_card_lists_it(api, responsible, executor, decided_justified):
    client = api(responsible)
    response = plan(client, decided_justified, description=" Заменить поставщика упаковки ",
                    executor=executor.pk, due_date=due())
    assert response.status_code == 201, response.json()
    data = response.json()
    measure = Measure.objects.get(pk=data["id"])
    assert (measure.description, measure.executor, measure.due_date.isoformat()) == (
        "Заменить поставщика упаковки", executor, due(),
    )
    assert data == {
        "id": measure.pk, "description": "Заменить поставщика упаковки",
        "executor": {"id": executor.pk, "username": "executor", "name": "Executor"},
        "due_date": due(), "approved_by": None, "approved_at": None, "report": "", "done_at": None,
        "can_report": False,
    }
    event = decided_justified.events.filter(kind=EventKind.MEASURE).get()
    assert event.actor == responsible and "Заменить поставщика упаковки" in event.text
    assert client.get(url(decided_justified)).json()["measures"] == [data]


@pytest.mark.parametrize("data, field", [
    ({"description": " "}, "description"),
    ({"description": None}, "description"),
    ({"executor": 987654}, "executor"),
    ({"executor": "executor"}, "executor"),
    ({"due_date": "next week"}, "due_date"),
    ({"due_date": 20300101}, "due_date"),
    ({"due_date": "2020-01-01"}, "due_date"),
])
def test_invalid_measures_are_400_per_field(api, responsible, executor, decided_justified, data, field):
    response = plan(api(responsible), decided_justified, **{
        "description": "Заменить упаковку", "executor": executor.pk, "due_date": due(), **data,
    })
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert not Measure.objects.exists()


def test_missing_fields_are_listed(api, responsible, decided_justified):
    response = plan(api(responsible), decided_justified)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"description", "executor", "due_date"}


def test_the_executor_must_be_able_to_carry_it_out(api, responsible, operator, decided_justified):
    response = plan(api(responsible), decided_justified, description="x", executor=operator.pk, due_date=due())
    assert response.status_code == 400
    assert response.json()["errors"] == {"executor": ["Operator cannot be an executor."]}


def test_measures_wait_for_a_justified_decision(api, qms, executor, complaint, decided_unjustified):
    for card in (complaint, decided_unjustified):
        response = plan(api(qms), card, description="x", executor=executor.pk, due_date=due())
        assert response.status_code == 409
        assert response.json()["code"] == "transition_not_allowed"
    assert not Measure.objects.exists()


def test_only_the_responsible_person_or_the_qms_head_plans(api, operator, executor, decided_justified):
    response = plan(api(operator), decided_justified, description="x", executor=executor.pk, due_date=due())
    assert response.status_code == 403
    assert not Measure.objects.exists()


def test_an_invisible_card_is_404(api, executor, decided_justified):
    response = plan(api(executor), decided_justified, description="x", executor=executor.pk, due_date=due())
    assert response.status_code == 404


def test_responsible_removes_a_planned_measure(api, responsible, planned):
    response = api(responsible).delete(measure_url(planned.complaint, planned))
    assert response.status_code == 204 and not response.content
    assert not Measure.objects.exists()
    assert planned.complaint.events.filter(kind=EventKind.MEASURE, text__startswith="Measure removed").exists()


def test_a_measure_is_found_only_on_its_own_card(api, qms, responsible, planned, operator):
    from amends.complaints.choices import Channel
    from amends.complaints.services import complaint_register

    other = complaint_register(actor=operator, channel=Channel.PHONE, wording="другая")
    for path in (measure_url(other, planned), measure_url(planned.complaint, planned.pk + 1000)):
        response = api(qms).delete(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "No such measure on this complaint.", "code": "not_found"}
    assert Measure.objects.filter(pk=planned.pk).exists()


def test_an_approved_plan_is_not_changed(api, responsible, approved):
    assert api(responsible).delete(measure_url(approved.complaint, approved)).status_code == 409
    assert Measure.objects.filter(pk=approved.pk).exists()


def test_executor_reports_on_an_approved_measure(api, executor, qms, approved):
    client = api(executor)
    card = client.get(url(approved.complaint)).json()
    assert [(m["id"], m["can_report"], m["approved_by"]["username"]) for m in card["measures"]] == [
        (approved.pk, True, "qms"),
    ]
    response = client.post(measure_url(approved.complaint, approved, "report"), {"report": " Упаковка заменена. "},
                           format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["report"], data["can_report"]) == ("Упаковка заменена.", False)
    approved.refresh_from_db()
    assert approved.is_done and approved.report == "Упаковка заменена."
    # Reported once: a second report is refused and changes nothing.
    again = client.post(measure_url(approved.complaint, approved, "report"), {"report": "ещё"}, format="json")
    assert again.status_code == 409
    approved.refresh_from_db()
    assert approved.report == "Упаковка заменена."


def test_an_empty_report_is_400(api, executor, approved):
    response = api(executor).post(measure_url(approved.complaint, approved, "report"), {"report": "  "},
                                  format="json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["report"]
    approved.refresh_from_db()
    assert not approved.is_done


def test_no_report_before_approval(api, executor, planned):
    response = api(executor).post(measure_url(planned.complaint, planned, "report"), {"report": "Готово"},
                                  format="json")
    assert response.status_code == 409
    planned.refresh_from_db()
    assert not planned.is_done


def test_another_executor_does_not_see_the_card(api, make_user, approved):
    from amends.accounts.roles import Role

    other = make_user("executor2", Role.EXECUTOR)
    response = api(other).post(measure_url(approved.complaint, approved, "report"), {"report": "Готово"},
                               format="json")
    assert response.status_code == 404
