"""What the UI walk of the answer pages found: a link shown to someone the page behind it refuses, and
admin texts left in English or in codes."""

from decimal import Decimal

from django.urls import reverse
from django.utils import translation

from amends.accounts.roles import Role
from amends.answers import checks
from amends.answers.delivery import answer_send
from amends.answers.models import CompensationLimit, CompensationOption, DeliveryChannel, Letter
from amends.complaints.choices import Channel, Justification, State
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_register
from amends.customers.services import contact_create


def test_the_letter_for_post_is_linked_only_for_those_who_may_download_it(
    db, operator, walk, responsible, manager, client, monkeypatch,
):
    monkeypatch.setattr(checks, "_CHECKS", {})  # the letter's own checks are tested with their parts
    contact = contact_create(full_name="Петров Пётр", address="г. Казань, ул. Баумана, д. 1, кв. 2")
    card = complaint_register(actor=operator, channel=Channel.LETTER, contact=contact, wording="Посылка пришла мятой.")
    card = walk(Complaint.objects.get(pk=card.pk), State.DECIDED, justification=Justification.UNJUSTIFIED)
    letter = Letter.objects.create(
        complaint=card, outcome="refused", language="en", created_by=responsible, signed_by=responsible,
        subject="Your complaint", body="Thank you for writing to us. We checked the delivery: it was on time.",
    )
    delivery = answer_send(letter=letter, actor=responsible, channel=DeliveryChannel.POST)
    url = reverse("answers:post_pdf", args=[card.number, delivery.pk])
    page = reverse("complaints:detail", args=[card.number])

    client.force_login(manager)  # reads every card, sends no answer
    assert client.get(page).status_code == 200
    assert url not in client.get(page).content.decode()
    assert client.get(url).status_code == 403
    client.force_login(responsible)
    assert url in client.get(page).content.decode()
    assert client.get(url).status_code == 200


def test_the_admin_speaks_the_readers_language_of_templates_and_limits(db, admin_client):
    with translation.override("ru"):
        page = admin_client.get(reverse("admin:answers_lettertemplate_changelist"), HTTP_ACCEPT_LANGUAGE="ru")
        assert "изменено" in page.content.decode().lower() and "updated at" not in page.content.decode().lower()
        option = CompensationOption.objects.create(kind="gift", name="Подарок")
        head = CompensationLimit.objects.create(option=option, role=Role.QMS_HEAD, limit=None)
        operator = CompensationLimit.objects.create(option=option, role=Role.OPERATOR, limit=Decimal("1000.00"))
        assert str(head) == "Подарок: Руководитель СМК без лимита"
        assert str(operator) == "Подарок: Оператор ≤ 1000.00"


def test_a_letter_on_the_tracking_page_is_listed_as_sent_to_that_page_not_to_its_path(
    db, operator, walk, responsible, client, monkeypatch,
):
    monkeypatch.setattr(checks, "_CHECKS", {})
    card = complaint_register(actor=operator, channel=Channel.PHONE, wording="Посылка пришла мятой.")
    card = walk(Complaint.objects.get(pk=card.pk), State.DECIDED, justification=Justification.UNJUSTIFIED)
    letter = Letter.objects.create(
        complaint=card, outcome="refused", language="en", created_by=responsible, signed_by=responsible,
        subject="Your complaint", body="Thank you for writing to us. We checked the delivery: it was on time.",
    )
    answer_send(letter=letter, actor=responsible, channel=DeliveryChannel.TRACKING)
    client.force_login(responsible)
    with translation.override("en"):
        page = client.get(reverse("complaints:detail", args=[card.number]), HTTP_ACCEPT_LANGUAGE="en")
    table = page.content.decode().split('<table class="deliveries">')[1].split("</table>")[0]
    assert "tracking page" in table and f"/track/{card.number}/" not in table
