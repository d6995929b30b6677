"""The order counts per month: who enters them, the one form of 24 months, and what the per 1,000
orders chart reads from them."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from amends.analytics.models import MonthlyOrders
from amends.analytics.orders import order_months, orders_save
from amends.audit.models import AuditEntry
from amends.core.errors import AccessDenied, ValidationError

pytestmark = pytest.mark.django_db


def stored() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT month, orders FROM analytics_monthlyorders")
        return {str(month)[:7]: orders for month, orders in cursor.fetchall()}


def english(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_last_24_months_newest_first():
    months = order_months(date(2026, 3, 17))
    assert len(months) == 24 and months[0] == date(2026, 3, 1) and months[-1] == date(2024, 4, 1)
    assert months[2] == date(2026, 1, 1) and months[3] == date(2025, 12, 1)


def test_saving_creates_changes_and_clears_each_audited(qms):
    assert orders_save(qms, {date(2026, 1, 1): 400, date(2026, 2, 1): 500, date(2026, 3, 1): None}) == 2
    assert stored() == {"2026-01": 400, "2026-02": 500}
    assert orders_save(qms, {date(2026, 1, 1): 400, date(2026, 2, 1): 550}) == 1
    assert orders_save(qms, {date(2026, 1, 1): None}) == 1
    assert stored() == {"2026-02": 550}
    row = MonthlyOrders.objects.get()
    assert row.entered_by == qms
    assert AuditEntry.objects.filter(object_type__icontains="monthlyorders").count() == 4


@pytest.mark.parametrize("counts", [{date(2026, 1, 2): 10}, {date(2026, 1, 1): 0}, {date(2026, 1, 1): -5}])
def test_a_count_must_be_positive_for_a_first_day(qms, counts):
    with pytest.raises(ValidationError):
        orders_save(qms, counts)
    assert stored() == {}


def test_only_the_qms_head_and_administrators_enter_counts(manager, operator):
    for user in (manager, operator):
        with pytest.raises(AccessDenied):
            orders_save(user, {date(2026, 1, 1): 10})
        assert english(user).get(reverse("analytics:orders")).status_code == 403


def test_the_page_shows_24_months_and_saves_them(qms):
    from django.utils import timezone

    client = english(qms)
    this_month = timezone.localdate().replace(day=1)
    MonthlyOrders.objects.create(month=this_month, orders=1200, entered_at=timezone.now())
    page = client.get(reverse("analytics:orders"))
    assert page.status_code == 200
    assert len(page.context["form"].fields) == 24
    assert 'value="1200"' in page.content.decode()
    key = f"{this_month:%Y-%m}"
    response = client.post(reverse("analytics:orders"), {key: "1300"}, follow=True)
    assert stored() == {key: 1300}
    assert "1 month&#x27;s order count saved." in response.content.decode()


def test_a_bad_count_shows_the_form_again_and_saves_nothing(qms):
    from django.utils import timezone

    key = f"{timezone.localdate():%Y-%m}"
    response = english(qms).post(reverse("analytics:orders"), {key: "0"})
    assert response.status_code == 200
    assert "greater than or equal to 1" in response.content.decode()
    assert stored() == {}


def test_the_admin_records_who_entered_a_count(administrator):
    client = english(administrator)
    response = client.post(reverse("admin:analytics_monthlyorders_add"), {"month": "2026-02-01", "orders": "900"})
    assert response.status_code == 302
    row = MonthlyOrders.objects.get()
    assert (row.month, row.orders, row.entered_by) == (date(2026, 2, 1), 900, administrator)
    assert client.get(reverse("admin:analytics_monthlyorders_changelist")).status_code == 200
    mid_month = client.post(reverse("admin:analytics_monthlyorders_add"), {"month": "2026-03-15", "orders": "5"})
    assert mid_month.status_code == 200 and "Give the month&#x27;s first day." in mid_month.content.decode()
    assert MonthlyOrders.objects.count() == 1
