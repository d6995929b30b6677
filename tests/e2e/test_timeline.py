"""Timeline entries the system words follow the reader (issue 13, item 8), in a real browser: a
measure planned and a wait started by a Russian-speaking responsible person read in English and in
Armenian, with each language's date format."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from amends.complaints.choices import Channel, Justification
from amends.complaints.models import Cause
from amends.complaints.services import complaint_register, complaint_transition, measure_add
from amends.core.dates import date_text
from amends.customers.services import contact_create
from amends.deadlines.services import waiting_start

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def card_handled_in_russian(people):
    qms, responsible = people["qms"], people["responsible"]
    contact = contact_create(full_name="Анна Смирнова", email="anna@example.org")
    with translation.override("ru"):
        card = complaint_register(actor=None, channel=Channel.EMAIL, contact=contact, wording="Чайник течёт.")
        card = complaint_transition(complaint=card, name="assign", actor=qms, data={"responsible": responsible})
        waiting_start(complaint=card, actor=responsible, reason="фото чайника")
        card = complaint_transition(complaint=card, name="investigate", actor=responsible)
        card = complaint_transition(complaint=card, name="decide", actor=responsible, data={
            "justification": Justification.JUSTIFIED, "opinion": "Брак.", "cause": Cause.objects.order_by("pk").first(),
        })
        due = timezone.localdate() + timedelta(days=5)
        measure_add(complaint=card, actor=responsible, description="Заменить чайник",
                    executor=people["executor"], due_date=due)
    return card, due


@pytest.mark.parametrize(("language", "planned", "waiting"), [
    ("en", "Measure planned: Заменить чайник", "Waiting for the customer: фото чайника"),
    ("hy", "Պլանավորվել է միջոցառում՝ Заменить чайник", "Հաճախորդի պատասխանի սպասում՝ фото чайника"),
])
def test_a_reader_sees_the_entries_of_a_russian_card_in_his_language(login_as, people, language, planned, waiting):
    card, due = card_handled_in_russian(people)
    reader = people["qms"]
    reader.language = language
    reader.save(update_fields=["language"])
    page = login_as(reader)
    page.goto(f"/complaints/{card.number}/")
    timeline = page.locator("ol.timeline")
    with translation.override(language):
        expect(timeline).to_contain_text(f"{planned} — {people['executor']}")
        expect(timeline).to_contain_text(date_text(due))
    expect(timeline).to_contain_text(waiting)
    expect(timeline).not_to_contain_text("Запланировано мероприятие")
    expect(timeline).not_to_contain_text("Ожидание")
