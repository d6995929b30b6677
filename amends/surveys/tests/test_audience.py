"""Who the campaigns ask: the active customers, the low-K customers, the chosen ones; why one gets
nothing; their language and channel."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from amends.answers.models import Letter
from amends.complaints.choices import Channel, Origin, State
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_register
from amends.customers.models import Organisation, OrganisationKind, Product
from amends.customers.services import contact_create
from amends.surveys.audience import (
    active_customers,
    chosen_customers,
    customer_channel,
    customer_language,
    low_k_customers,
    months_before,
    not_sent_reason,
)
from amends.surveys.choices import InvitationChannel, NotSentReason, ResponseSource
from amends.surveys.models import SurveyPolicy
from amends.surveys.recording import response_record
from amends.surveys.scoring import Rating

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime(2026, 12, 6, 12, 0))


@pytest.fixture
def card(operator):
    """A card of `contact` received `days` before NOW, in `state`."""

    def make(contact, days: int = 10, state: str = State.REGISTERED, **fields) -> Complaint:
        complaint = complaint_register(
            actor=operator, channel=fields.pop("channel", Channel.EMAIL), contact=contact,
            wording=f"Жалоба {contact.full_name} {days}", received_at=NOW - timedelta(days=days), duplicates="caller",
            **fields,
        )
        Complaint.objects.filter(pk=complaint.pk).update(state=state)
        return Complaint.objects.get(pk=complaint.pk)

    return make


@pytest.fixture
def person():
    def make(name: str, **fields):
        fields.setdefault("email", f"{name.lower()}@example.ru")
        return contact_create(full_name=name, **fields)

    return make


def answer_k(version, contact, k_score: int, at: datetime):
    """A response whose K is `k_score` exactly (every criterion scored the same, equal importance)."""
    ratings = {criterion.pk: Rating(k_score, 5) for criterion in version.criteria.all()}
    return response_record(
        version=version, ratings=ratings, source=ResponseSource.PAPER, language="ru", contact=contact,
        received_at=at,
    )


def test_months_before_keeps_the_day_or_takes_the_shorter_months_last():
    assert months_before(NOW, 12) == timezone.make_aware(datetime(2025, 12, 6, 12, 0))
    may_31 = timezone.make_aware(datetime(2026, 5, 31, 9, 0))
    assert months_before(may_31, 3) == timezone.make_aware(datetime(2026, 2, 28, 9, 0))
    assert months_before(may_31, 5) == timezone.make_aware(datetime(2025, 12, 31, 9, 0))


def test_active_customers_are_known_contacts_with_a_counted_card_in_the_last_months(person, card):
    recent, old, provisional, duplicate_only, withdrawn_only, internal_only = (
        person("Recent"), person("Old"), person("Provisional", provisional=True), person("Duplicate"),
        person("Withdrawn"), person("Internal"),
    )
    card(recent, days=300)
    card(old, days=400)  # 12 months before NOW is 2025-12-06: 400 days ago is before
    card(provisional, days=5)
    card(duplicate_only, days=5, state=State.DUPLICATE)
    card(withdrawn_only, days=5, state=State.WITHDRAWN)
    card(internal_only, days=5, origin=Origin.INTERNAL)
    assert list(active_customers(NOW)) == [recent]

    SurveyPolicy.objects.update_or_create(pk=1, defaults={"active_months": 24})
    assert list(active_customers(NOW)) == [recent, old]


def test_low_k_customers_are_those_whose_latest_response_is_below_the_threshold(version, person):
    improved, worsened, at_eight, later_low = person("Improved"), person("Worsened"), person("Eight"), person("Later")
    answer_k(version, improved, 5, NOW - timedelta(days=100))
    answer_k(version, improved, 9, NOW - timedelta(days=10))
    answer_k(version, worsened, 9, NOW - timedelta(days=100))
    answer_k(version, worsened, 7, NOW - timedelta(days=10))
    answer_k(version, at_eight, 8, NOW - timedelta(days=10))  # K = 8 is not below 8
    answer_k(version, later_low, 9, NOW - timedelta(days=10))
    answer_k(version, later_low, 3, NOW + timedelta(days=1))  # after `now`: not yet known
    assert list(low_k_customers(NOW)) == [worsened]

    SurveyPolicy.objects.update_or_create(pk=1, defaults={"k_threshold": 9})
    assert list(low_k_customers(NOW)) == [worsened, at_eight]


def test_chosen_customers_by_organisation_kind_region_product_and_date(person, card):
    pump = Product.objects.create(name="Насос")
    state_body = Organisation.objects.create(name="Минводхоз", kind=OrganisationKind.STATE, region="Ереван")
    company = Organisation.objects.create(name="ООО Вектор", kind=OrganisationKind.COMMERCIAL, region="Москва")
    official = person("Official", organisation=state_body)
    manager = person("Manager", organisation=company)
    private = person("Private")
    private.region = "Ереван"
    private.save()
    card(official, days=20, product=pump)
    card(manager, days=200, product=pump)
    card(private, days=5)
    assert list(chosen_customers(organisation_kind=OrganisationKind.STATE)) == [official]
    assert list(chosen_customers(region="ереван")) == [official, private]
    assert list(chosen_customers(product_id=pump.pk)) == [official, manager]
    assert list(chosen_customers(product_id=pump.pk, since=(NOW - timedelta(days=30)).date())) == [official]
    assert list(chosen_customers()) == [official, manager, private]


def test_not_sent_reason_erased_refused_or_nowhere_to_send(person, card):
    fine = person("Fine")
    erased = person("Erased")
    erased.erased_at = NOW
    refused = person("Refused")
    refused.contact_refused_at = NOW
    by_phone = person("Phone", email="", phone="+7 912 000-00-00")
    assert not_sent_reason(fine) == ""
    assert not_sent_reason(erased) == NotSentReason.ERASED
    assert not_sent_reason(refused) == NotSentReason.REFUSED
    assert not_sent_reason(by_phone) == NotSentReason.NO_ADDRESS
    chat = card(by_phone, channel=Channel.MESSENGER)
    Complaint.objects.filter(pk=chat.pk).update(thread_key="telegram:bot:42")
    assert not_sent_reason(by_phone) == ""  # their chat carries it


def test_the_channel_is_the_cards_chat_else_email_else_another_chat_else_how_staff_ask(person, card):
    customer = person("Customer")
    by_mail = card(customer, days=30)
    chat = card(customer, days=5, channel=Channel.MESSENGER)
    Complaint.objects.filter(pk=chat.pk).update(thread_key="telegram:bot:42")
    chat.refresh_from_db()
    assert customer_channel(customer) == (InvitationChannel.MESSENGER, chat)  # the latest card's chat
    assert customer_channel(customer, by_mail) == (InvitationChannel.EMAIL, by_mail)
    assert customer_channel(customer, chat) == (InvitationChannel.MESSENGER, chat)
    customer.email = ""
    assert customer_channel(customer, by_mail) == (InvitationChannel.MESSENGER, chat)
    nowhere = person("Nowhere", email="")
    assert customer_channel(nowhere) == (InvitationChannel.EMAIL, None)
    nowhere.phone = "+7 912 000-00-01"
    assert customer_channel(nowhere)[0] == InvitationChannel.PHONE
    nowhere.fax = "+7 912 000-00-02"
    assert customer_channel(nowhere)[0] == InvitationChannel.FAX
    nowhere.address = "Москва, ул. Ленина, 1"
    assert customer_channel(nowhere)[0] == InvitationChannel.PAPER


def test_the_language_is_the_cards_else_the_latest_cards_else_the_companys(person, card, responsible, settings):
    customer = person("Customer")
    assert customer_language(customer) == settings.LANGUAGE_CODE == "ru"
    older = card(customer, days=30)
    latest = card(customer, days=5)
    Letter.objects.create(complaint=latest, outcome="refused", language="hy", created_by=responsible,
                          subject="Պատասխան", body="...")
    assert customer_language(customer) == "hy"
    assert customer_language(customer, older) == "ru"
