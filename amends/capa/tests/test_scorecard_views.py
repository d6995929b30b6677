"""The suppliers list and the scorecard pages: who may see them, sort and filters, the period chooser,
a merged supplier's redirect, a fixed number of queries."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from amends.capa.models import CapaSettings, SupplierNorm
from amends.capa.periods import current_period
from amends.customers.models import Component, Supplier

URLS = ("capa:supplier", "capa:supplier_xlsx", "capa:supplier_pdf")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cards(classified, supplier, component, supplier_cause):
    now = timezone.now()
    return [classified(cause=supplier_cause, component=component, received_at=now) for _ in range(3)]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["qms", "manager", "administrator"])
def test_overseers_see_the_list_and_the_scorecard(request, role, cards, supplier):
    client = signed_in(request.getfixturevalue(role))
    listed = client.get(reverse("capa:suppliers"))
    assert listed.status_code == 200 and supplier.name in listed.content.decode()
    page = client.get(reverse("capa:supplier", args=[supplier.pk]))
    assert page.status_code == 200
    assert 'role="img"' in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["operator", "responsible", "executor"])
def test_others_get_403(request, role, supplier):
    client = signed_in(request.getfixturevalue(role))
    assert client.get(reverse("capa:suppliers")).status_code == 403
    for name in URLS:
        assert client.get(reverse(name, args=[supplier.pk])).status_code == 403


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in(supplier):
    response = Client().get(reverse("capa:supplier", args=[supplier.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_a_merged_suppliers_pages_redirect_to_the_one_it_was_merged_into(qms, supplier):
    merged = Supplier.objects.create(name="Старое имя", merged_into=supplier, is_active=False)
    client = signed_in(qms)
    for name in URLS:
        response = client.get(reverse(name, args=[merged.pk]), {"kind": "quarter"})
        assert response.status_code == 302
        assert response["Location"] == reverse(name, args=[supplier.pk]) + "?kind=quarter"
    assert "Старое имя" not in client.get(reverse("capa:suppliers")).content.decode()


@pytest.mark.django_db
def test_the_list_filters_by_status_and_sorts_by_a_column(qms, cards, supplier, product):
    quiet = Supplier.objects.create(name="Тихий")
    SupplierNorm.objects.create(supplier=supplier, norm=2)  # 3 > 2: over
    client = signed_in(qms)
    over = client.get(reverse("capa:suppliers"), {"status": "over"}).content.decode()
    assert supplier.name in over and "Тихий" not in over
    within = client.get(reverse("capa:suppliers"), {"status": "within"}).content.decode()
    assert supplier.name not in within and "Тихий" in within
    ascending = client.get(reverse("capa:suppliers"), {"sort": "complaints"}).content.decode()
    assert ascending.index("Тихий") < ascending.index(supplier.name)
    descending = client.get(reverse("capa:suppliers"), {"sort": "-complaints"}).content.decode()
    assert descending.index(supplier.name) < descending.index("Тихий")
    assert quiet.pk


@pytest.mark.django_db
def test_the_period_chooser_picks_a_past_quarter(qms, classified, supplier, component, supplier_cause):
    past = current_period("quarter").previous().previous()
    classified(cause=supplier_cause, component=component, received_at=past.bounds()[0] + timedelta(days=20))
    client = signed_in(qms)
    chosen = {"kind": "quarter", "start": past.start.isoformat()}
    page = client.get(reverse("capa:supplier", args=[supplier.pk]), chosen)
    scorecard = page.context["scorecard"]
    assert (scorecard.period, scorecard.row.counted, scorecard.history[-1].count) == (past, 1, 1)
    recent = client.get(reverse("capa:supplier", args=[supplier.pk]), {"kind": "month"})
    assert len(recent.context["scorecard"].history) == 12
    bad = client.get(reverse("capa:suppliers"), {"kind": "decade", "start": "nonsense"})
    assert bad.status_code == 200 and bad.context["period"].kind == "year"


@pytest.mark.django_db
def test_the_list_page_takes_a_fixed_number_of_queries(
    qms, cards, product, classified, supplier_cause, django_assert_max_num_queries,
):
    CapaSettings.current()
    client = signed_in(qms)
    client.get(reverse("capa:suppliers"))
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("capa:suppliers"))
    for n in range(15):
        made = Supplier.objects.create(name=f"Поставщик {n}")
        part = Component.objects.create(name=f"Деталь {n}", product=product, supplier=made)
        classified(cause=supplier_cause, component=part, received_at=timezone.now())
    with django_assert_max_num_queries(len(few)):
        assert client.get(reverse("capa:suppliers")).content.decode().count("Поставщик ") >= 15
