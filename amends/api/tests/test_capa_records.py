"""Nonconformities through the API: the register, opening one, the record, its owner, steps, cards,
root cause, timeline and PDF, with the rules and messages of the pages."""

import pytest

from amends.capa.choices import NonconformityState
from amends.capa.models import FishboneCause, Nonconformity, NonconformityEvent
from amends.capa.nonconformities import nonconformity_open
from amends.complaints.choices import State

from .capa_fixtures import rec

LIST = "/api/v1/nonconformities/"


def test_the_register_as_on_its_page_with_filters(api, qms, owner, record, supplier):
    other = nonconformity_open(actor=qms, title="Loose screws")
    rows = api(qms).get(LIST).json()
    assert rows["count"] == 2 and [r["number"] for r in rows["results"]] == [other.number, record.number]
    assert rows["results"][1]["owner"]["username"] == "nc_owner"
    assert rows["results"][1]["supplier"]["id"] == supplier.pk and rows["results"][1]["complaints_count"] == 0
    assert [r["number"] for r in api(qms).get(LIST, {"supplier": supplier.pk}).json()["results"]] == [record.number]
    assert [r["number"] for r in api(qms).get(LIST, {"owner": owner.pk}).json()["results"]] == [record.number]
    assert api(qms).get(LIST, {"state": "closed"}).json()["count"] == 0
    assert api(qms).get(LIST, {"mine": "true"}).json()["count"] == 0
    assert [r["number"] for r in api(owner).get(LIST).json()["results"]] == [record.number]  # their own only
    assert [r["number"] for r in api(qms).get(LIST, {"source": "manual", "kind": "actual", "q": "screw"})
            .json()["results"]] == [other.number]


def test_a_bad_filter_is_400_and_a_stranger_403(api, qms, stranger, record):
    response = api(qms).get(LIST, {"state": "sleeping"})
    assert response.status_code == 400 and "state" in response.json()["errors"]
    assert api(stranger).get(LIST).status_code == 403
    assert api().get(LIST).status_code == 401


def test_the_register_costs_the_same_queries_whatever_its_length(api, qms, django_assert_max_num_queries):
    client = api(qms)
    nonconformity_open(actor=qms, title="One")
    client.get(LIST)  # the token and the session's first reads
    with django_assert_max_num_queries(6) as few:
        assert client.get(LIST).status_code == 200
    for n in range(10):
        nonconformity_open(actor=qms, title=f"Record {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LIST).json()["count"] == 11


def test_the_head_of_the_qms_opens_one_with_cards(api, qms, owner, complaint, supplier):
    response = api(qms).post(LIST, {
        "title": "Batteries", "kind": "potential", "owner": owner.pk, "supplier": supplier.pk,
        "complaints": [complaint.number],
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("NC-") and body["kind"] == "potential" and body["state"] == "open"
    assert body["complaints"] == [complaint.number] and body["owner"]["id"] == owner.pk
    assert body["analysis_due"] and [d["status"] for d in body["deadlines"]]
    assert complaint.events.filter(code="linked").exists()  # the card's timeline says so


def test_only_the_head_of_the_qms_opens_one(api, owner, complaint):
    assert api(owner).post(LIST, {"title": "Batteries"}, format="json").status_code == 403
    assert not Nonconformity.objects.exists()


@pytest.mark.parametrize("state", [State.DUPLICATE, State.WITHDRAWN])
def test_a_duplicate_or_withdrawn_card_is_refused_and_nothing_opened(api, qms, complaint, state):
    complaint.__class__.objects.filter(pk=complaint.pk).update(state=state)
    response = api(qms).post(LIST, {"title": "Batteries", "complaints": [complaint.number]}, format="json")
    assert response.status_code == 400
    assert complaint.number in response.json()["errors"]["non_field_errors"][0]
    assert not Nonconformity.objects.exists()


def test_an_unknown_card_number_is_400(api, qms):
    response = api(qms).post(LIST, {"title": "Batteries", "complaints": ["2026-999999"]}, format="json")
    assert response.status_code == 400 and "2026-999999" in response.json()["errors"]["complaints"][0]
    bad = api(qms).post(LIST, {"title": "Batteries", "complaints": ["nonsense"]}, format="json")
    assert bad.status_code == 400 and "complaints" in bad.json()["errors"]


def test_the_record_is_seen_by_its_owner_and_overseers_only(api, qms, manager, owner, stranger, record):
    body = api(owner).get(rec(record)).json()
    assert body["title"] == "Batteries swell" and body["can_manage"] is True and body["steps"] == []
    assert api(manager).get(rec(record)).json()["can_manage"] is False
    missing = api(stranger).get(rec(record))
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert api(qms).get(rec("NC-2026-9999")).status_code == 404


def test_the_owner_updates_it_and_the_timeline_says_what_changed(api, owner, manager, record):
    assert api(manager).patch(rec(record), {"title": "New"}, format="json").status_code == 403
    response = api(owner).patch(rec(record), {"title": "Swelling batteries", "process": "Assembly"}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "Swelling batteries"
    assert response.json()["process"] == "Assembly"
    assert NonconformityEvent.objects.filter(nonconformity=record, code="changed").count() == 1
    bad = api(owner).patch(rec(record), {"title": 5}, format="json")
    assert bad.status_code == 400 and "title" in bad.json()["errors"]


def test_appoint_is_the_head_of_the_qms(api, qms, owner, responsible, record):
    assert api(owner).post(rec(record, "appoint"), {"owner": responsible.pk}, format="json").status_code == 403
    response = api(qms).post(rec(record, "appoint"), {"owner": responsible.pk}, format="json")
    assert response.status_code == 200 and response.json()["owner"]["id"] == responsible.pk


def test_steps_close_and_reopen_with_their_rules(api, qms, owner, record):
    early = api(qms).post(rec(record, "steps"), {"step": "close"}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "transition_not_allowed"
    Nonconformity.objects.filter(pk=record.pk).update(state=NonconformityState.EFFECTIVENESS_CHECKED)
    assert api(owner).post(rec(record, "steps"), {"step": "close"}, format="json").status_code == 403
    closed = api(qms).post(rec(record, "steps"), {"step": "close"}, format="json")
    assert closed.status_code == 200 and closed.json()["state"] == "closed" and closed.json()["steps"] == ["reopen"]
    no_reason = api(owner).post(rec(record, "steps"), {"step": "reopen"}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    reopened = api(owner).post(rec(record, "steps"), {"step": "reopen", "reason": "Back again"}, format="json")
    assert reopened.status_code == 200 and reopened.json()["state"] == "open" and reopened.json()["reopened"] == 1


def test_link_and_unlink_cards_by_the_cards_rule(api, qms, owner, manager, complaint, record):
    # The owner manages the record but does not see the card: no such complaint, as on the page.
    unseen = api(owner).post(rec(record, "complaints"), {"complaints": [complaint.number]}, format="json")
    assert unseen.status_code == 400 and "No complaint with the number" in unseen.json()["errors"]["complaints"][0]
    # A manager owning a record sees the card, but only its responsible person or the QMS head links it.
    managers = nonconformity_open(actor=qms, title="Managed", owner=manager)
    assert api(manager).post(rec(managers, "complaints"), {"complaints": [complaint.number]},
                             format="json").status_code == 403
    linked = api(qms).post(rec(record, "complaints"), {"complaints": [complaint.number]}, format="json")
    assert linked.status_code == 200 and linked.json()["complaints"] == [complaint.number]
    again = api(qms).post(rec(record, "complaints"), {"complaints": [complaint.number]}, format="json")
    assert again.json()["complaints"] == [complaint.number]  # linked once
    assert api(owner).delete(rec(record, f"complaints/{complaint.number}")).status_code == 404
    nonconformity_open(actor=qms, title="Managed too", owner=manager, complaints=[complaint])
    assert api(manager).delete(rec(record, f"complaints/{complaint.number}")).status_code == 403
    unlinked = api(qms).delete(rec(record, f"complaints/{complaint.number}"))
    assert unlinked.status_code == 200 and unlinked.json()["complaints"] == []
    assert api(qms).delete(rec(record, f"complaints/{complaint.number}")).status_code == 404


def test_linking_a_withdrawn_card_is_400(api, qms, complaint, record):
    complaint.__class__.objects.filter(pk=complaint.pk).update(state=State.WITHDRAWN)
    response = api(qms).post(rec(record, "complaints"), {"complaints": [complaint.number]}, format="json")
    assert response.status_code == 400 and "withdrawn" in response.json()["errors"]["non_field_errors"][0]
    assert not record.links.exists()


def test_root_cause_whys_fishbone_and_analysis(api, owner, manager, record):
    client = api(owner)
    empty = client.post(rec(record, "analysis"), {"root_cause": "Heat"}, format="json")
    assert empty.status_code == 400 and "Analyse first" in empty.json()["errors"]["non_field_errors"][0]
    assert api(manager).put(rec(record, "whys"), {"steps": []}, format="json").status_code == 403
    whys = client.put(rec(record, "whys"), {"steps": [
        {"why": "Why swell?", "because": "Cells overheat"}, {"why": "", "because": ""},
    ]}, format="json")
    assert whys.status_code == 200 and whys.json()["whys"] == [{"why": "Why swell?", "because": "Cells overheat"}]
    half = client.put(rec(record, "whys"), {"steps": [{"why": "Why?", "because": ""}]}, format="json")
    assert half.status_code == 400
    added = client.post(rec(record, "fishbone"), {"category": "material", "text": "Cheap cells"}, format="json")
    assert added.status_code == 201 and added.json()["is_root"] is False
    cause_id = added.json()["id"]
    twice = client.post(rec(record, "fishbone"), {"category": "material", "text": "cheap cells"}, format="json")
    assert twice.status_code == 400 and "text" in twice.json()["errors"]
    confirmed = client.post(rec(record, f"fishbone/{cause_id}/confirm"), {"is_root": True}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["is_root"] is True
    other = client.post(rec(record, "fishbone"), {"category": "man", "text": "Rushed"}, format="json").json()
    assert client.delete(rec(record, f"fishbone/{other['id']}")).status_code == 204
    assert client.delete(rec(record, f"fishbone/{other['id']}")).status_code == 404
    done = client.post(rec(record, "analysis"), {"root_cause": "Cheap cells"}, format="json")
    assert done.status_code == 200 and done.json()["state"] == "analysed" and done.json()["root_cause"] == "Cheap cells"
    assert [c["text"] for c in done.json()["fishbone"]] == ["Cheap cells"]
    assert client.post(rec(record, "analysis"), {"root_cause": "Again"}, format="json").status_code == 409
    assert FishboneCause.objects.filter(nonconformity=record).count() == 1


def test_the_timeline_in_the_readers_language(api, qms, owner, record, make_user):
    english = api(owner).get(rec(record, "timeline")).json()
    assert [e["code"] for e in english] == ["opened", "owner"]
    assert english[1]["text"] == "Owner appointed: Nc_Owner" and english[0]["actor"]["username"] == "qms"
    russian = api(make_user("qms_ru", "qms_head", language="ru")).get(rec(record, "timeline")).json()
    assert russian[1]["text"] != english[1]["text"]


def test_the_record_as_a_pdf(api, qms, stranger, analysed):
    pdf = api(qms).get(rec(analysed, "pdf"), HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert api(stranger).get(rec(analysed, "pdf"), HTTP_ACCEPT="application/pdf").json()["code"] == "not_found"


def test_opening_with_an_idempotency_key_opens_once(api, qms):
    client = api(qms)
    first = client.post(LIST, {"title": "Batteries"}, format="json", HTTP_IDEMPOTENCY_KEY="nc-1")
    again = client.post(LIST, {"title": "Batteries"}, format="json", HTTP_IDEMPOTENCY_KEY="nc-1")
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["number"] == first.json()["number"] and Nonconformity.objects.count() == 1
