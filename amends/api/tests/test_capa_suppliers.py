"""Supplier figures and proposals through the API: the same selectors, periods and rules as the
norms, suppliers and proposals pages."""

from datetime import datetime

import pytest
from django.utils import timezone

from amends.capa.choices import ProposalKind, ProposalStatus
from amends.capa.models import Nonconformity, Proposal
from amends.capa.proposals import proposal_dismiss, proposal_raise
from amends.capa.suppliers import supplier_merge
from amends.customers.models import Supplier

NORMS, SUPPLIERS, PROPOSALS = "/api/v1/norms/", "/api/v1/suppliers/", "/api/v1/proposals/"


def this_year(month: int) -> datetime:
    return datetime(timezone.localdate().year, month, 10, 12, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def over_norm(classified, supplier, supplier_cause):
    """Seven justified supplier-fault complaints in January: over the default norm of 6."""
    return [classified(cause=supplier_cause, supplier=supplier, received_at=this_year(1)) for _ in range(7)]


def test_the_norm_status_of_the_year_and_of_a_quarter(api, qms, over_norm, supplier):
    body = api(qms).get(NORMS).json()
    year = timezone.localdate().year
    assert body["period"] == {"kind": "year", "start": f"{year}-01-01", "end": f"{year + 1}-01-01", "label": str(year)}
    rows = {(row["subject"], row["supplier"]["id"] if row["supplier"] else None): row for row in body["rows"]}
    assert rows[("supplier", supplier.pk)] == {
        "subject": "supplier", "subject_label": rows[("supplier", supplier.pk)]["subject_label"],
        "supplier": {"id": supplier.pk, "name": str(supplier)}, "count": 7, "norm": 6, "exceeded": True,
        "reached": False,
    }
    assert rows[("all_suppliers", None)]["count"] == 7 and rows[("manufacturer", None)]["count"] == 0
    second = api(qms).get(NORMS, {"kind": "quarter", "start": f"{year}-04-01"}).json()
    assert second["period"]["label"] == f"{year} Q2" and len(second["rows"]) == 2  # no supplier counted then


@pytest.mark.parametrize("query, field", [
    ({"kind": "week"}, "kind"), ({"start": "2026-13-01"}, "start"),
    ({"kind": "quarter", "start": "2026-02-01"}, "start"), ({"kind": "month", "start": "2026-02-15"}, "start"),
])
def test_an_invalid_period_is_400(api, qms, query, field):
    response = api(qms).get(NORMS, query)
    assert response.status_code == 400 and field in response.json()["errors"]


def test_who_sees_the_norms_and_the_suppliers(api, manager, owner, stranger, record):
    assert api(manager).get(NORMS).status_code == 200
    assert api(owner).get(NORMS).status_code == 403  # as on the page: the supplier figures are the overseers'
    assert api(stranger).get(NORMS).status_code == 403
    assert api(manager).get(SUPPLIERS).status_code == 200
    assert api(owner).get(SUPPLIERS).status_code == 403  # the scorecards are the overseers'
    assert api(owner).get(f"{SUPPLIERS}{record.supplier_id}/").status_code == 403
    assert api().get(SUPPLIERS).status_code == 401


def test_the_suppliers_table_sorted_and_filtered_as_the_page(api, qms, over_norm, supplier):
    calm = Supplier.objects.create(name="Пласт", name_en="Plast")
    rows = api(qms).get(SUPPLIERS).json()["rows"]
    assert [row["supplier"]["id"] for row in rows] == [supplier.pk, calm.pk]  # the worst standing first
    assert rows[0]["standing"] == "over" and rows[0]["counted"] == 7 and rows[0]["justified_share"] == 100.0
    assert rows[0]["compensation"] == "0.00" and rows[1]["justified_share"] is None
    by_name = api(qms).get(SUPPLIERS, {"sort": "-supplier"}).json()["rows"]
    assert [row["supplier"]["id"] for row in by_name] == [calm.pk, supplier.pk]
    within = api(qms).get(SUPPLIERS, {"status": "within"}).json()["rows"]
    assert [row["supplier"]["id"] for row in within] == [calm.pk]
    bad = api(qms).get(SUPPLIERS, {"sort": "colour"})
    assert bad.status_code == 400 and "sort" in bad.json()["errors"]


def test_the_suppliers_table_costs_the_same_queries_whatever_their_number(api, qms, django_assert_max_num_queries):
    client = api(qms)
    Supplier.objects.create(name="S0")
    client.get(SUPPLIERS)
    with django_assert_max_num_queries(12) as few:
        client.get(SUPPLIERS)
    Supplier.objects.bulk_create([Supplier(name=f"S{n}") for n in range(1, 30)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(SUPPLIERS).json()["rows"]) == 30


def test_a_scorecard_and_a_merged_suppliers_follows_it(api, qms, over_norm, supplier, record):
    body = api(qms).get(f"{SUPPLIERS}{supplier.pk}/").json()
    assert body["supplier"]["id"] == supplier.pk and body["row"]["counted"] == 7 and body["row"]["standing"] == "over"
    assert body["history"][-1]["count"] == 7 and len(body["history"]) == 5
    assert [r["number"] for r in body["nonconformities"]] == [record.number]
    assert [t["complaints"] for t in body["by_cause"]] == [7]
    old = Supplier.objects.create(name="Старый")
    supplier_merge(actor=qms, source=old, target=supplier)
    assert api(qms).get(f"{SUPPLIERS}{old.pk}/").json()["supplier"]["id"] == supplier.pk
    assert api(qms).get(f"{SUPPLIERS}999999/").status_code == 404
    month = api(qms).get(f"{SUPPLIERS}{supplier.pk}/", {"kind": "month"}).json()
    assert month["period"]["kind"] == "month" and len(month["history"]) == 12


@pytest.fixture
def proposal(classified, supplier_cause, supplier):
    cards = [classified(cause=supplier_cause, supplier=supplier) for _ in range(2)]
    return proposal_raise(kind=ProposalKind.CLUSTER, key="cluster:api", complaints=cards, supplier=supplier, params={
        "cards": 2, "customers": 2, "days": 30, "first": "2026-11-01", "last": "2026-11-03",
    })


def test_proposals_listed_with_a_status_filter(api, qms, manager, owner, proposal):
    other = proposal_raise(kind=ProposalKind.CLUSTER, key="cluster:other", params=proposal.params)
    proposal_dismiss(actor=qms, proposal=other, reason="Seasonal")
    rows = api(manager).get(PROPOSALS).json()
    assert [row["id"] for row in rows] == [other.id, proposal.id]
    assert rows[1]["title"] == "Similar complaints from 2 customers" and len(rows[1]["complaints"]) == 2
    assert "2 customers complained" in rows[1]["finding"]
    pending = api(manager).get(PROPOSALS, {"status": "pending"}).json()
    assert [row["id"] for row in pending] == [proposal.id]
    assert api(manager).get(PROPOSALS, {"status": "maybe"}).status_code == 400
    assert api(owner).get(PROPOSALS).status_code == 403


def test_accept_opens_the_record_and_accepting_twice_is_409(api, qms, manager, owner, proposal):
    path = f"{PROPOSALS}{proposal.pk}/accept/"
    assert api(manager).post(path, {}, format="json").status_code == 403
    accepted = api(qms).post(path, {"owner": owner.pk}, format="json")
    assert accepted.status_code == 201, accepted.json()
    body = accepted.json()
    assert body["source"] == "cluster" and body["owner"]["id"] == owner.pk and len(body["complaints"]) == 2
    twice = api(qms).post(path, {}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "transition_not_allowed"
    assert Nonconformity.objects.count() == 1
    dismissed = api(qms).post(f"{PROPOSALS}{proposal.pk}/dismiss/", {"reason": "Late"}, format="json")
    assert dismissed.status_code == 409
    assert api(qms).post(f"{PROPOSALS}999999/accept/", {}, format="json").status_code == 404


def test_dismiss_needs_a_reason(api, qms, proposal):
    path = f"{PROPOSALS}{proposal.pk}/dismiss/"
    empty = api(qms).post(path, {"reason": "  "}, format="json")
    assert empty.status_code == 400 and "reason" in empty.json()["errors"]
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.PENDING
    dismissed = api(qms).post(path, {"reason": "Seasonal"}, format="json")
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    assert dismissed.json()["reason"] == "Seasonal" and dismissed.json()["decided_by"]["username"] == "qms"


def test_the_proposals_list_costs_the_same_queries_whatever_its_length(
    api, qms, proposal, classified, django_assert_max_num_queries,
):
    client = api(qms)
    client.get(PROPOSALS)
    with django_assert_max_num_queries(8) as few:
        client.get(PROPOSALS)
    for n in range(8):
        made = proposal_raise(kind=ProposalKind.CLUSTER, key=f"cluster:{n}", complaints=[classified()],
                              params=proposal.params)
        if n % 2:
            proposal_dismiss(actor=qms, proposal=made, reason="No")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(PROPOSALS).json()) == 9
