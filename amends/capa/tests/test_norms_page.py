"""The norms page (a period chosen, rows flagged, counts linking to their cards), its cards, and
the admin: CapaSettings as one row, a supplier's own norm, the merge action."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from amends.accounts.roles import Role
from amends.capa.models import CapaSettings, SupplierNorm
from amends.capa.norms import norm_check
from amends.complaints.choices import State
from amends.customers.models import Supplier

ZONE = timezone.get_default_timezone()


def at(year: int, month: int) -> datetime:
    return datetime(year, month, 10, 12, tzinfo=ZONE)


@pytest.fixture
def reader(make_user):
    return make_user("reader", Role.QMS_HEAD, language="en")


def test_the_year_by_default_with_rows_flagged_and_counts_linked(
    client, reader, classified, supplier, component, supplier_cause, manufacturer_cause,
):
    today = timezone.localdate()
    for _ in range(5):
        classified(cause=manufacturer_cause, received_at=at(today.year, 1))
    for _ in range(6):
        classified(cause=supplier_cause, component=component, received_at=at(today.year, 1))
    norm_check()
    client.force_login(reader)
    page = client.get(reverse("capa:norms")).content.decode()
    assert f"norms: {today.year}" in page
    assert "Manufacturer&#x27;s fault" in page
    assert page.count('class="badge norm-exceeded"') == 1  # 5 > 4
    assert page.count('class="badge norm-reached"') == 2  # all suppliers and АКБ-Снаб: 6 of 6
    assert "flagged on" in page
    link = f"{reverse('capa:norm_cards')}?kind=year&day={today.year}-01-01&subject=supplier&supplier={supplier.pk}"
    assert f'<a href="{link}">6</a> / 6' in page


def test_a_quarter_or_a_month_is_chosen(client, reader, classified, component, supplier_cause):
    classified(cause=supplier_cause, component=component, received_at=at(2026, 2))
    client.force_login(reader)
    quarter = client.get(reverse("capa:norms"), {"kind": "quarter", "day": "2026-03-31"}).content.decode()
    assert "2026 Q1" in quarter and ">1</a> / 6" in quarter
    month = client.get(reverse("capa:norms"), {"kind": "month", "day": "2026-03-01"}).content.decode()
    assert "2026-03" in month and ">0</a> / 6" in month
    # A period that makes no sense shows the current year rather than an error.
    assert client.get(reverse("capa:norms"), {"kind": "decade", "day": "soon"}).status_code == 200


def test_the_page_makes_a_fixed_number_of_queries(
    client, reader, classified, supplier_cause, django_assert_max_num_queries,
):
    for n in range(30):
        classified(cause=supplier_cause, supplier=Supplier.objects.create(name=f"S{n}"), received_at=at(2026, 2))
    client.force_login(reader)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("capa:norms"), {"kind": "year", "day": "2026-05-05"})
    assert response.content.decode().count("/ 6</td>") == 31


def test_the_cards_of_a_row_are_those_counted(
    client, reader, classified, supplier, component, supplier_cause, manufacturer_cause,
):
    counted = classified(cause=supplier_cause, component=component, received_at=at(2026, 2))
    own_fault = classified(cause=manufacturer_cause, received_at=at(2026, 2))  # no component, no supplier
    duplicate = classified(cause=supplier_cause, component=component, received_at=at(2026, 2), state=State.DUPLICATE)
    other_year = classified(cause=supplier_cause, component=component, received_at=at(2025, 2))
    client.force_login(reader)
    page = client.get(reverse("capa:norm_cards"), {
        "kind": "year", "day": "2026-01-01", "subject": "supplier", "supplier": supplier.pk,
    }).content.decode()
    assert counted.number in page and duplicate.number not in page and other_year.number not in page
    assert own_fault.number not in page
    manufacturer = client.get(reverse("capa:norm_cards"), {"day": "2026-05-05", "subject": "manufacturer"})
    assert own_fault.number in manufacturer.content.decode() and counted.number not in manufacturer.content.decode()
    assert client.get(reverse("capa:norm_cards"), {"kind": "year", "subject": "supplier"}).status_code == 404
    assert client.get(reverse("capa:norm_cards"), {"subject": "nobody"}).status_code == 404


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.RESPONSIBLE, Role.EXECUTOR])
def test_those_who_do_not_oversee_quality_may_not_see_the_norms(client, make_user, role):
    client.force_login(make_user("someone", role))
    assert client.get(reverse("capa:norms")).status_code == 403
    assert client.get(reverse("capa:norm_cards"), {"subject": "manufacturer"}).status_code == 403


def test_the_settings_are_one_row_in_the_admin(client, administrator):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(administrator)
    response = client.get(reverse("admin:capa_capasettings_changelist"))
    assert response.status_code == 302 and response.url == reverse("admin:capa_capasettings_change", args=[1])
    assert client.get(reverse("admin:capa_capasettings_add")).status_code == 403
    form = client.get(response.url).context["adminform"].form
    data = {name: form.initial[name] for name in form.fields}
    data["supplier_norm"] = 0
    refused = client.post(response.url, data)
    assert "A norm is at least 1 complaint per period" in refused.content.decode()
    assert CapaSettings.current().supplier_norm == 6


def test_a_supplier_norm_of_zero_is_refused_in_the_admin(client, administrator, supplier):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(administrator)
    response = client.post(reverse("admin:capa_suppliernorm_add"), {"supplier": supplier.pk, "norm": "0"})
    assert "A norm is at least 1 complaint per period" in response.content.decode()
    # The supplier's own page takes its norm too, with the same message.
    url = reverse("admin:customers_supplier_change", args=[supplier.pk])
    inline = {"capa_norm-TOTAL_FORMS": "1", "capa_norm-INITIAL_FORMS": "0", "capa_norm-0-norm": "0"}
    response = client.post(url, {"name": supplier.name, "name_en": "", "name_hy": "", "is_active": "on", **inline})
    assert "A norm is at least 1 complaint per period" in response.content.decode()
    assert not SupplierNorm.objects.exists()
    client.post(url, {"name": supplier.name, "name_en": "", "name_hy": "", "is_active": "on", **inline,
                      "capa_norm-0-norm": "2"})
    assert SupplierNorm.objects.get().norm == 2


def test_the_admin_merges_the_selected_suppliers(client, administrator, supplier, classified, supplier_cause):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    twin = Supplier.objects.create(name="АКБ Снаб (дубль)")
    card = classified(cause=supplier_cause, supplier=twin, received_at=at(2026, 2))
    client.force_login(administrator)
    url = reverse("admin:customers_supplier_changelist")
    asked = client.post(url, {"action": "merge_suppliers", "_selected_action": [twin.pk]})
    assert "Merge into" in asked.content.decode()
    done = client.post(url, {"action": "merge_suppliers", "_selected_action": [twin.pk], "target": supplier.pk},
                       follow=True)
    assert "merged into" in done.content.decode()
    card.refresh_from_db()
    assert card.supplier == supplier
    itself = client.post(url, {"action": "merge_suppliers", "_selected_action": [supplier.pk], "target": supplier.pk},
                         follow=True)
    assert "cannot be merged into itself" in itself.content.decode()
