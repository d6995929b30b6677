"""The card's "Nonconformities" panel and its forms, through the real client: who sees the forms,
who is refused (403), what bad input shows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from amends.capa.choices import NonconformityState, Source
from amends.capa.models import Action, Nonconformity
from amends.capa.nonconformities import nonconformity_appoint, nonconformity_open
from amends.capa.pages.card import nonconformities_panel
from amends.complaints.choices import State
from amends.complaints.models import Complaint, Measure


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def card(classified, responsible, product, supplier, supplier_cause):
    return classified(responsible=responsible, product=product, supplier=supplier, cause=supplier_cause)


@pytest.fixture
def measure(card, executor):
    return Measure.objects.create(complaint=card, description="Заменить партию", executor=executor,
                                  due_date=timezone.localdate() + timedelta(days=7))


def page(client, card):
    return client.get(reverse("complaints:detail", args=[card.number]))


def fragment(client, card, name):
    """A collapsed form of the panel, as the card fetches it when opened."""
    return client.get(reverse("complaints:card_fragment", args=[card.number, name]))


def test_the_responsible_person_sees_the_forms_with_the_cards_concerns_and_due_date(
    client, card, responsible, measure, product, supplier, supplier_cause,
):
    client.force_login(responsible)
    response = page(client, card)
    html = response.content.decode()
    assert 'id="panel-nonconformities"' in html and "Not linked to any nonconformity." in html
    form = fragment(client, card, "nc-open").context["nc_open_form"]
    assert (form["product"].value(), form["supplier"].value(), form["cause"].value()) == (
        product.pk, supplier.pk, supplier_cause.pk)
    assert form["component"].value() is None
    promote = fragment(client, card, f"promote-{measure.pk}").content.decode()
    assert reverse("capa:measure_promote", args=[card.number, measure.pk]) in promote
    assert f'value="{measure.due_date.isoformat()}"' in promote


def test_opened_from_the_card_it_is_listed_on_the_card(client, card, responsible, product, supplier_cause):
    client.force_login(responsible)
    response = client.post(reverse("capa:card_open", args=[card.number]), {
        "nc-open-title": "Аккумуляторы теряют ёмкость", "nc-open-product": product.pk,
        "nc-open-cause": supplier_cause.pk,
    })
    assert response.status_code == 302
    record = Nonconformity.objects.get()
    assert (record.source, record.product, record.cause, record.supplier) == (
        Source.CARDS, product, supplier_cause, None)  # the supplier left out as the form said
    html = page(client, card).content.decode()
    assert f"Nonconformity {record.number} opened." in html
    assert record.number in html and "Аккумуляторы теряют ёмкость" in html
    # The responsible person does not own the record: its number, not a link they could not open.
    assert reverse("capa:record", args=[record.number]) not in html


def test_the_qms_head_sees_the_link_to_the_record(client, card, qms):
    record = nonconformity_open(actor=qms, title="Батареи", source=Source.CARDS, complaints=[card])
    client.force_login(qms)
    assert reverse("capa:record", args=[record.number]) in page(client, card).content.decode()


def test_linked_to_an_open_one_closed_ones_are_not_offered(client, card, responsible, qms):
    record = nonconformity_open(actor=qms, title="Батареи")
    closed = nonconformity_open(actor=qms, title="Старая")
    Nonconformity.objects.filter(pk=closed.pk).update(state=NonconformityState.CLOSED)
    nonconformity_appoint(actor=qms, nonconformity=record, owner=responsible)
    client.force_login(responsible)
    offered = fragment(client, card, "nc-link").context["nc_link_form"].fields["nonconformity"].queryset
    assert list(offered) == [record]
    refused = client.post(reverse("capa:card_link", args=[card.number]), {"nc-link-nonconformity": closed.pk})
    assert refused.status_code == 400 and not closed.links.exists()
    response = client.post(reverse("capa:card_link", args=[card.number]), {"nc-link-nonconformity": record.pk})
    assert response.status_code == 302
    assert list(record.complaints.all()) == [card]
    html = page(client, card).content.decode()
    assert reverse("capa:record", args=[record.number]) in html  # they own it now


def test_promoted_from_the_card_then_shown_as_promoted_and_refused_a_second_time(
    client, card, responsible, measure, executor,
):
    client.force_login(responsible)
    url = reverse("capa:measure_promote", args=[card.number, measure.pk])
    prefix = f"promote-{measure.pk}"
    response = client.post(url, {f"{prefix}-title": "Партия", f"{prefix}-due_date": measure.due_date.isoformat()})
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.owner, action.nonconformity.source) == (executor, Source.MEASURE)
    html = page(client, card).content.decode()
    assert f"promoted to a corrective action of {action.nonconformity.number}" in html
    assert url not in html
    again = client.post(url, {f"{prefix}-title": "Ещё раз"})
    assert again.status_code == 400
    assert "already promoted" in again.content.decode()
    assert Action.objects.count() == 1 and Nonconformity.objects.count() == 1


def test_the_card_page_reads_its_measures_once_for_both_panels(client, card, responsible, measure, executor):
    """The measures panel and this one list them from one query, with the action a promoted one became."""
    Measure.objects.create(complaint=card, description="Проверить поставщика", executor=executor,
                           due_date=timezone.localdate() + timedelta(days=3))
    client.force_login(responsible)
    prefix = f"promote-{measure.pk}"
    client.post(reverse("capa:measure_promote", args=[card.number, measure.pk]),
                {f"{prefix}-title": "Партия", f"{prefix}-due_date": measure.due_date.isoformat()})
    with CaptureQueriesContext(connection) as queries:
        html = page(client, card).content.decode()
    assert len([q for q in queries if 'FROM "complaints_measure"' in q["sql"]]) == 1
    assert html.count('class="nc-measure"') == 2 and "Проверить поставщика" in html
    assert f"promoted to a corrective action of {Action.objects.get().nonconformity.number}" in html


def test_a_due_date_in_the_past_is_shown_on_the_form(client, card, responsible, measure):
    client.force_login(responsible)
    prefix = f"promote-{measure.pk}"
    response = client.post(reverse("capa:measure_promote", args=[card.number, measure.pk]), {
        f"{prefix}-due_date": (timezone.localdate() - timedelta(days=2)).isoformat(),
    })
    assert response.status_code == 400
    assert response.context["open_form"] == prefix
    assert "The due date has passed" in response.content.decode()
    assert not Nonconformity.objects.exists()


def test_a_duplicate_is_refused_with_its_message(client, classified, responsible):
    card = classified(responsible=responsible, state=State.DUPLICATE)
    client.force_login(responsible)
    response = client.post(reverse("capa:card_open", args=[card.number]), {"nc-open-title": "Батареи"})
    assert response.status_code == 400
    assert f"{card.number} is a duplicate: link its original instead." in response.content.decode()
    assert not Nonconformity.objects.exists()


def test_a_closed_card_is_still_linked(client, classified, responsible):
    card = classified(responsible=responsible, state=State.CLOSED)
    client.force_login(responsible)
    response = client.post(reverse("capa:card_open", args=[card.number]), {"nc-open-title": "После ответа"})
    assert response.status_code == 302 and Nonconformity.objects.get().complaints.get() == card


@pytest.mark.parametrize("who", ["executor", "manager"])
def test_others_who_see_the_card_get_no_forms_and_403(client, card, measure, executor, manager, who):
    client.force_login({"executor": executor, "manager": manager}[who])
    response = page(client, card)
    assert response.status_code == 200
    assert fragment(client, card, "nc-open").context["nc_open_form"] is None
    assert 'id="panel-nonconformities"' not in response.content.decode()  # nothing linked, nothing to do
    for url, data in (
        (reverse("capa:card_open", args=[card.number]), {"nc-open-title": "x"}),
        (reverse("capa:card_link", args=[card.number]), {}),
        (reverse("capa:measure_promote", args=[card.number, measure.pk]), {}),
    ):
        assert client.post(url, data).status_code == 403
    assert not Nonconformity.objects.exists()


def test_a_stranger_gets_404_and_a_measure_of_another_card_404(client, card, classified, make_user, responsible):
    other = classified(responsible=responsible)
    foreign = Measure.objects.create(complaint=other, description="x", executor=responsible,
                                     due_date=timezone.localdate() + timedelta(days=3))
    client.force_login(make_user("stranger", "responsible"))
    assert client.post(reverse("capa:card_open", args=[card.number]), {"nc-open-title": "x"}).status_code == 404
    client.force_login(responsible)
    assert client.post(reverse("capa:measure_promote", args=[card.number, foreign.pk])).status_code == 404


def test_the_panel_makes_a_fixed_number_of_queries(rf, card, responsible, qms, executor,
                                                   django_assert_max_num_queries):
    def add(count):
        for n in range(count):
            Measure.objects.create(complaint=card, description=f"Мера {n}", executor=executor,
                                   due_date=timezone.localdate() + timedelta(days=5))
            record = nonconformity_open(actor=qms, title=f"Запись {n}", source=Source.CARDS, complaints=[card])
            nonconformity_appoint(actor=qms, nonconformity=record, owner=responsible)

    def render_panel():
        request = rf.get("/")
        request.user = responsible
        read = Complaint.objects.get(pk=card.pk)  # as a request reads it: the measures are kept on the card
        html = render_to_string("capa/card_panel.html", {
            "complaint": read, "open_form": None, "card_fragments": {}, **nonconformities_panel(request, read, {}),
        }, request)
        return html.count('class="nc-record"'), html.count('class="nc-measure"')

    add(1)
    with django_assert_max_num_queries(50) as few:
        assert render_panel() == (1, 1)
    add(5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert render_panel() == (6, 6)


def test_a_retired_product_of_the_card_is_still_offered_and_kept(client, card, responsible, product):
    type(product).objects.filter(pk=product.pk).update(is_active=False)
    client.force_login(responsible)
    response = client.post(reverse("capa:card_open", args=[card.number]), {
        "nc-open-title": "Батареи", "nc-open-product": product.pk,
    })
    assert response.status_code == 302
    assert Nonconformity.objects.get().product == product
