"""Registering, listing and reading cards: the same services, selectors and role rules as the UI."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.dateparse import parse_datetime

from amends.api.services import api_parse
from amends.complaints.choices import Channel, EventKind, Importance, Origin, State
from amends.complaints.models import Category, Complaint
from amends.complaints.services import complaint_register
from amends.customers.models import Contact, Product
from amends.intake.models import InboundMessage, InboundStatus
from amends.intake.services import inbound_process, inbound_reprocess

from .helpers import url

LIST = "/api/v1/complaints/"


def body(**extra) -> dict:
    data = {
        "channel": Channel.EMAIL,
        "text": "  Заказ пришёл без инструкции.  ",
        "customer": {"name": "Петров Пётр", "email": "Petrov@Example.ru", "phone": "+7 903 111-22-33",
                     "organisation": "ООО «Вектор»"},
    }
    data.update(extra)
    return data


def test_operator_registers_a_complaint(api, operator, process_queued):
    client = api(operator)
    response = client.post(LIST, body(order_reference="ЗК-77", external_id="crm-15"), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    # Stored with its number at once; the worker makes the card from it a moment later.
    assert not Complaint.objects.exists()
    assert InboundMessage.objects.get().number == data["number"]
    assert process_queued() == 1
    complaint = Complaint.objects.get(number=data["number"])
    assert InboundMessage.objects.get().complaint == complaint
    assert parse_datetime(data.pop("received_at")) == complaint.received_at
    assert data == {
        "number": complaint.number,
        "state": State.REGISTERED,
        "channel": Channel.EMAIL,
        "url": f"http://testserver/api/v1/complaints/{complaint.number}/",
        "tracking_url": f"https://complaints.example.com/track/{complaint.number}/?code={complaint.tracking_code}",
    }
    assert complaint.state == State.REGISTERED
    assert complaint.channel == Channel.EMAIL and complaint.registered_by == operator
    assert complaint.wording == "Заказ пришёл без инструкции."
    assert (complaint.order_reference, complaint.external_id) == ("ЗК-77", "crm-15")
    assert complaint.contact.full_name == "Петров Пётр"
    assert complaint.contact.email == "petrov@example.ru"
    assert complaint.organisation.name == "ООО «Вектор»"
    assert list(complaint.events.values_list("kind", flat=True)) == [EventKind.REGISTERED]
    # The whole card is one GET away, at the address given.
    card = client.get(data["url"]).json()
    assert (card["number"], parse_datetime(card["received_at"]), card["tracking_url"]) == (
        data["number"], complaint.received_at, data["tracking_url"],
    )
    assert card["customer"] == {"name": "Петров Пётр", "email": "petrov@example.ru",
                                "phone": "+7 903 111-22-33", "organisation": "ООО «Вектор»"}
    assert card["available_transitions"] == ["mark_duplicate"]


def test_a_card_asked_for_before_the_worker_is_registered_at_once(api, operator, process_queued):
    client = api(operator)
    data = client.post(LIST, body(), format="json").json()
    card = client.get(data["url"])
    assert card.status_code == 200 and card.json()["number"] == data["number"]
    assert card.json()["tracking_url"] == data["tracking_url"]
    assert client.get(url(data["number"], "timeline")).status_code == 200
    assert process_queued() == 0
    assert Complaint.objects.count() == 1
    assert InboundMessage.objects.get().status == InboundStatus.REGISTERED


def test_a_card_registered_twice_at_once_is_one_card(api, operator):
    """The worker and a request for the number may take the same submission: one card, no quarantine."""
    api(operator).post(LIST, body(), format="json")
    first, second = InboundMessage.objects.get(), InboundMessage.objects.get()
    assert inbound_reprocess(first).status == InboundStatus.REGISTERED
    assert inbound_process(second, api_parse).status == InboundStatus.REGISTERED
    assert Complaint.objects.count() == 1
    assert InboundMessage.objects.get().complaint == Complaint.objects.get()


def test_an_unknown_number_is_404_and_registers_nothing(api, operator):
    assert api(operator).get(url("2026-999999")).status_code == 404
    assert not Complaint.objects.exists()


def test_registration_reads_the_token_and_the_roles_once(api, operator):
    client = api(operator)
    with CaptureQueriesContext(connection) as queries:
        assert client.post(LIST, body(), format="json").status_code == 201
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum('FROM "authtoken_token"' in q for q in sql) == 1
    # The user comes joined to the token, and their roles are read once for every check.
    assert not any(f'"accounts_user"."id" = {operator.pk}' in q for q in sql)
    assert sum(f'"accounts_user_groups"."user_id" = {operator.pk}' in q for q in sql) == 1


def test_a_known_customer_is_found_by_email_or_phone(api, operator, contact, process_queued):
    by_email = api(operator).post(LIST, body(customer={"email": "IVANOV@example.ru"}), format="json")
    by_phone = api(operator).post(LIST, body(customer={"name": "И. Иванов", "phone": "8 912 345 67 89"}),
                                  format="json")
    assert by_email.status_code == by_phone.status_code == 201
    process_queued()
    assert Contact.objects.count() == 1
    assert {c.contact_id for c in Complaint.objects.all()} == {contact.pk}


def test_optional_fields_are_stored(api, qms, process_queued):
    product = Product.objects.create(name="Чайник")
    category = Category.objects.filter(is_active=True).first()
    received = datetime(2025, 3, 4, 10, 30, tzinfo=ZoneInfo("Europe/Moscow"))
    response = api(qms).post(LIST, body(
        product=product.pk, category=category.pk, importance=Importance.HIGH,
        received_at=received.isoformat(),
    ), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["number"].startswith("2025-")
    process_queued()
    complaint = Complaint.objects.get(number=response.json()["number"])
    assert (complaint.product, complaint.category, complaint.importance) == (product, category, Importance.HIGH)
    assert complaint.received_at == received
    assert complaint.number.startswith("2025-")
    assert api(qms).get(url(complaint)).json()["product"] == {"id": product.pk, "name": "Чайник"}


def test_internal_complaint_needs_no_customer(api, qms, process_queued):
    response = api(qms).post(LIST, {"channel": Channel.INTERNAL, "text": "Склад не отвечает."}, format="json")
    assert response.status_code == 201
    process_queued()
    complaint = Complaint.objects.get()
    assert complaint.origin == Origin.INTERNAL and complaint.contact is None


@pytest.mark.parametrize("data, field", [
    ({"customer": None}, "customer"),
    ({"customer": {"organisation": "ООО"}}, "customer"),
    ({"customer": {"email": "not-an-address"}}, "customer"),
    ({"channel": "pigeon"}, "channel"),
    ({"text": "   "}, "text"),
    ({"product": 999999}, "product"),
    ({"category": "abc"}, "category"),
    ({"importance": "urgent"}, "importance"),
    ({"received_at": "yesterday"}, "received_at"),
    ({"received_at": "9999-12-31T23:59:59Z"}, "received_at"),
    ({"order_reference": "x" * 101}, "order_reference"),
])
def test_invalid_fields_are_400_per_field_and_create_nothing(api, operator, data, field):
    response = api(operator).post(LIST, body(**data), format="json")
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "invalid"
    assert list(payload["errors"]) == [field]
    assert Complaint.objects.count() == 0 and Contact.objects.count() == 0
    assert not InboundMessage.objects.exists()


def test_inactive_product_is_refused(api, operator):
    product = Product.objects.create(name="Снят с производства", is_active=False)
    response = api(operator).post(LIST, body(product=product.pk), format="json")
    assert response.status_code == 400 and "product" in response.json()["errors"]


@pytest.mark.parametrize("role_user", ["executor", "responsible", "manager"])
def test_only_operators_qms_and_admins_register(api, request, role_user):
    user = request.getfixturevalue(role_user)
    response = api(user).post(LIST, body(), format="json")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only operators and the head of the QMS register complaints.", "code": "permission_denied",
    }
    # Not even the customer is created.
    assert Complaint.objects.count() == 0 and Contact.objects.count() == 0


def test_administrator_registers(api, administrator):
    assert api(administrator).post(LIST, body(), format="json").status_code == 201


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["number"] for row in response.json()["results"]]


def test_operator_lists_only_what_they_registered(api, operator, make_user, contact):
    from amends.accounts.roles import Role

    other = make_user("operator2", Role.OPERATOR)
    mine = complaint_register(actor=operator, channel=Channel.PHONE, wording="моя", contact=contact)
    complaint_register(actor=other, channel=Channel.PHONE, wording="чужая", contact=contact)
    assert numbers(api(operator).get(LIST)) == [mine.number]


def test_responsible_sees_only_assigned_cards(api, responsible, assigned, operator):
    complaint_register(actor=operator, channel=Channel.PHONE, wording="не назначена")
    assert numbers(api(responsible).get(LIST)) == [assigned.number]
    assert api(responsible).get(url(assigned)).status_code == 200


def test_executor_without_measures_sees_nothing(api, executor, complaint):
    assert numbers(api(executor).get(LIST)) == []
    response = api(executor).get(url(complaint))
    assert response.status_code == 404
    assert response.json() == {"detail": "No such complaint.", "code": "not_found"}


def test_list_filters(api, qms, operator, contact, assigned, responsible):
    msk = ZoneInfo("Europe/Moscow")
    old = complaint_register(
        actor=operator, channel=Channel.LETTER, wording="Счёт выставлен дважды", importance=Importance.HIGH,
        received_at=datetime(2024, 5, 1, 12, tzinfo=msk),
    )
    client = api(qms)
    assert numbers(client.get(LIST, {"channel": "letter"})) == [old.number]
    assert numbers(client.get(LIST, {"state": "assigned"})) == [assigned.number]
    assert numbers(client.get(LIST, {"importance": "high"})) == [old.number]
    assert numbers(client.get(LIST, {"responsible": responsible.pk})) == [assigned.number]
    assert numbers(client.get(LIST, {"q": "дважды"})) == [old.number]
    assert numbers(client.get(LIST, {"q": "Иванов"})) == [assigned.number]
    assert numbers(client.get(LIST, {"received_to": "2024-12-31"})) == [old.number]
    assert numbers(client.get(LIST, {"received_from": "2025-01-01"})) == [assigned.number]
    assert numbers(client.get(LIST, {"sort": "received"})) == [old.number, assigned.number]
    assert len(numbers(client.get(LIST, {"q": ""}))) == 2


def test_list_category_includes_subcategories(api, qms, operator):
    child = Category.objects.filter(parent__isnull=False, is_active=True).first()
    card = complaint_register(actor=operator, channel=Channel.PHONE, wording="x", category=child)
    complaint_register(actor=operator, channel=Channel.PHONE, wording="y")
    assert numbers(api(qms).get(LIST, {"category": child.parent_id})) == [card.number]


@pytest.mark.parametrize("query, field", [
    ({"state": "lost"}, "state"), ({"category": "x"}, "category"), ({"received_from": "2024-13-01"}, "received_from"),
    ({"responsible": "0"}, "responsible"), ({"sort": "wording"}, "sort"), ({"q": "\x00"}, "q"),
    ({"state": ""}, "state"), ({"received_to": ""}, "received_to"),
])
def test_invalid_filters_are_400(api, qms, query, field):
    response = api(qms).get(LIST, query)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_list_is_paginated(api, qms, operator, settings):
    for i in range(3):
        complaint_register(actor=operator, channel=Channel.PHONE, wording=f"жалоба {i}")
    first = api(qms).get(LIST).json()
    assert first["count"] == 3 and first["next"] is None and len(first["results"]) == 3
    assert api(qms).get(LIST, {"page": 2}).status_code == 404


def test_list_query_count_does_not_grow_with_rows(api, qms, operator, contact, responsible):
    from amends.complaints.services import complaint_transition

    client = api(qms)
    client.get(LIST)
    complaint_register(actor=operator, channel=Channel.PHONE, wording="one", contact=contact)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    category = Category.objects.filter(parent__isnull=False).first()
    for i in range(5):
        card = complaint_register(actor=operator, channel=Channel.PHONE, wording=f"more {i}",
                                  contact=contact, category=category)
        complaint_transition(complaint=card, name="assign", actor=qms, data={"responsible": responsible})
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert response.json()["count"] == 6
    assert len(many) == len(few)


def test_detail_shows_the_whole_card(api, qms, assigned, responsible):
    response = api(qms).get(url(assigned))
    assert response.status_code == 200
    data = response.json()
    assert data["number"] == assigned.number and data["state"] == State.ASSIGNED
    assert data["responsible"] == {"id": responsible.pk, "username": "responsible", "name": "Responsible"}
    assert data["customer"]["name"] == "Иванов Иван Иванович"
    assert data["registered_by"]["username"] == "operator"
    assert data["version"] == assigned.version
    assert set(data["available_transitions"]) == {"assign", "investigate", "mark_duplicate", "withdraw"}
    # The responsible person's buttons differ from the QMS head's.
    assert set(api(responsible).get(url(assigned)).json()["available_transitions"]) == {
        "investigate", "mark_duplicate",
    }


def test_unknown_number_is_404_json(api, qms):
    response = api(qms).get(url("2020-000001"))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_received_at_in_the_near_future_is_accepted(api, operator):
    from django.utils import timezone

    soon = timezone.now() + timedelta(hours=1)
    assert api(operator).post(LIST, body(received_at=soon.isoformat()), format="json").status_code == 201


def test_without_a_base_url_the_tracking_link_is_on_the_host_the_client_called(api, operator, settings):
    settings.AMENDS_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["amends.internal"]
    response = api(operator).post(LIST, body(), format="json", HTTP_HOST="amends.internal:8000")
    assert response.status_code == 201, response.json()
    stored = InboundMessage.objects.get()
    assert response.json()["tracking_url"] == (
        f"http://amends.internal:8000/track/{stored.number}/?code={stored.tracking_code}"
    )


def test_list_counts_up_to_the_limit_and_says_there_are_more(api, qms, operator, monkeypatch):
    from amends.api import pagination

    monkeypatch.setattr(pagination, "COUNT_LIMIT", 3)
    for i in range(5):
        complaint_register(actor=operator, channel=Channel.PHONE, wording=f"жалоба {i}")
    client = api(qms)
    everything = client.get(LIST).json()
    assert everything["count"] == 3 and everything["more"] is True and len(everything["results"]) == 3
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 10)
    assert client.get(LIST).json()["more"] is False
