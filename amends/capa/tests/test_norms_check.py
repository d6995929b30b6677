"""norm_check: each row over its norm flagged, announced and proposed once per period, also when two
workers run it at once; flagged_suppliers; the norms' bad input."""

from datetime import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from amends.accounts.roles import Role
from amends.capa.choices import NormSubject, PeriodKind, ProposalKind
from amends.capa.forms.supplier_admin import SupplierNormForm
from amends.capa.models import CapaSettings, NormBreach, Proposal, SupplierNorm
from amends.capa.norms import flagged_suppliers, norm_check
from amends.capa.periods import period_of
from amends.complaints.choices import CauseKind, Channel, Justification, State
from amends.complaints.models import Cause, Complaint
from amends.customers.models import Supplier
from amends.notifications.models import Notification
from amends.notifications.rendering import render_notification

ZONE = timezone.get_default_timezone()
NOW = datetime(2026, 6, 20, 12, tzinfo=ZONE)


def at(month: int, year: int = 2026) -> datetime:
    return datetime(year, month, 10, 12, tzinfo=ZONE)


@pytest.fixture
def heads(make_user):
    return [make_user("head-en", Role.QMS_HEAD, language="en"), make_user("head-ru", Role.QMS_HEAD, language="ru")]


def supplier_cards(classified, cause, component, count, received_at=None, **fields):
    return [classified(cause=cause, component=component, received_at=received_at or at(3), **fields)
            for _ in range(count)]


def test_a_supplier_over_its_norm_is_flagged_announced_and_proposed_once(
    classified, supplier, component, supplier_cause, heads,
):
    SupplierNorm.objects.create(supplier=supplier, norm=2)
    cards = supplier_cards(classified, supplier_cause, component, 3)
    classified(cause=supplier_cause, component=component, received_at=at(3), state=State.DUPLICATE)

    [breach] = norm_check(NOW)

    year = period_of(PeriodKind.YEAR, NOW.date())
    assert breach.key == f"norm:supplier:{supplier.pk}:{year.key}"
    assert (breach.subject, breach.supplier, breach.count, breach.norm) == (NormSubject.SUPPLIER, supplier, 3, 2)
    proposal = Proposal.objects.get(key=breach.key)
    assert proposal.kind == ProposalKind.NORM and proposal.supplier == supplier
    assert set(proposal.complaints.all()) == set(cards)  # the duplicate is not among them
    assert proposal.params["count"] == 3 and proposal.params["norm"] == 2
    notices = Notification.objects.filter(kind="norm_exceeded")
    assert {n.user for n in notices} == set(heads)
    english = render_notification(notices.get(user=heads[0]))
    assert english.subject == "Norm exceeded: 3 complaints by the components of АКБ-Снаб (norm 2)"
    assert cards[0].number in english.body and "/capa/norms/?kind=year&day=2026-01-01" in english.body
    # One notice per breach: it says the proposal waits too, linking to it; no proposal notice apart.
    assert english.body.endswith(f"The proposal: https://complaints.example.com/capa/proposals/#proposal-{proposal.pk}")
    assert not Notification.objects.filter(kind="capa_proposal").exists()

    assert norm_check(NOW) == []  # the next hour: nothing new
    supplier_cards(classified, supplier_cause, component, 1)
    assert norm_check(NOW) == []  # a fourth card in the same period is not a new breach
    assert (NormBreach.objects.count(), Proposal.objects.count(), notices.count()) == (1, 1, 2)


def test_each_row_has_its_own_breach_and_the_default_norms_hold(
    classified, supplier, component, supplier_cause, manufacturer_cause, heads,
):
    supplier_cards(classified, supplier_cause, component, 6)  # at the norm of 6: not over it
    for _ in range(5):
        classified(cause=manufacturer_cause, received_at=at(2))
    assert {b.subject for b in norm_check(NOW)} == {NormSubject.MANUFACTURER}
    other = Supplier.objects.create(name="Пласт")
    classified(cause=supplier_cause, supplier=other, received_at=at(4))
    made = norm_check(NOW)  # 7 > 6: every supplier together, while each is within its own
    assert [(b.subject, b.supplier, b.count) for b in made] == [(NormSubject.ALL_SUPPLIERS, None, 7)]
    assert Notification.objects.filter(kind="norm_exceeded").count() == 2 * len(heads)


def test_the_period_follows_the_settings_and_each_period_is_flagged_once(
    classified, supplier, component, supplier_cause, heads,
):
    CapaSettings.objects.update_or_create(pk=1, defaults={"norm_period": PeriodKind.MONTH, "supplier_norm": 1})
    supplier_cards(classified, supplier_cause, component, 2, received_at=at(6))
    supplier_cards(classified, supplier_cause, component, 2, received_at=at(1))  # long past: not checked
    keys = {b.key for b in norm_check(NOW) if b.subject == NormSubject.SUPPLIER}
    assert keys == {f"norm:supplier:{supplier.pk}:month:2026-06-01"}
    # The month just ended is checked too: a card decided after its period still counts there.
    supplier_cards(classified, supplier_cause, component, 2, received_at=at(5))
    keys = {b.key for b in norm_check(NOW) if b.subject == NormSubject.SUPPLIER}
    assert keys == {f"norm:supplier:{supplier.pk}:month:2026-05-01"}


def test_flagged_suppliers_are_those_over_their_norm_or_recorded_so(classified, supplier, component, supplier_cause):
    SupplierNorm.objects.create(supplier=supplier, norm=1)
    year = period_of(PeriodKind.YEAR, NOW.date())
    supplier_cards(classified, supplier_cause, component, 1)
    assert flagged_suppliers(year) == set()
    card = supplier_cards(classified, supplier_cause, component, 1)[0]
    assert flagged_suppliers(year) == {supplier.pk}
    norm_check(NOW)
    Complaint.objects.filter(pk=card.pk).update(state=State.WITHDRAWN)
    assert flagged_suppliers(year) == {supplier.pk}  # flagged once stays flagged for the period
    assert flagged_suppliers(year.previous()) == set()


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_record_one_breach_one_proposal_one_notice_each(
    reference_data_restored, make_user, at_once,
):
    head = make_user("head", Role.QMS_HEAD)
    operator = make_user("op", Role.OPERATOR)
    cause = Cause.objects.get(kind=CauseKind.MANUFACTURER)
    for n in range(5):
        Complaint.objects.create(
            number=f"T-{n}", received_at=at(3), channel=Channel.PHONE, wording="Брак", registered_by=operator,
            cause=cause, justification=Justification.JUSTIFIED, state=State.CLOSED,
        )
    results = at_once(lambda: norm_check(NOW), 4)
    assert sorted(len(made) for made in results) == [0, 0, 0, 1]
    assert NormBreach.objects.count() == 1 and Proposal.objects.count() == 1
    assert Notification.objects.filter(kind="norm_exceeded", user=head).count() == 1


@pytest.mark.usefixtures("english")
def test_a_norm_of_zero_or_less_is_refused_with_a_message_and_by_the_database(supplier):
    form = SupplierNormForm(data={"supplier": supplier.pk, "norm": 0})
    assert not form.is_valid()
    with translation.override("en"):
        assert "at least 1 complaint per period" in str(form.errors["norm"])
    assert not SupplierNormForm(data={"supplier": supplier.pk, "norm": -3}).is_valid()
    with pytest.raises(IntegrityError), transaction.atomic():
        SupplierNorm.objects.create(supplier=supplier, norm=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        CapaSettings.objects.update_or_create(pk=1, defaults={"manufacturer_norm": 0})
