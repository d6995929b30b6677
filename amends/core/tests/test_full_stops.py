"""No sentence ends twice: the main pages, in each language, on the demo's data, have no ".."
(a translated sentence's own full stop followed by one in the template or the code around it).
Ellipses, "…" or "...", are meant."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils.html import strip_tags

from amends.accounts.models import User
from amends.complaints.models import Complaint
from amends.deadlines.sweep import deadlines_sweep

DOUBLED = re.compile(r"(?<!\.)\.\.(?!\.)")
ROLES = ("qms", "responsible", "executor", "operator")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", stdout=StringIO())
        deadlines_sweep()  # the notifications a fresh start sends
        yield
        transaction.set_rollback(True)


def pages_of(username: str) -> list[str]:
    cards = Complaint.objects.filter(events__actor__username=username).distinct().order_by("-number")[:15]
    return ["/complaints/", "/deadlines/mine/", "/notifications/", "/reports/weekly/", "/complaints/new/",
            *[f"/complaints/{card.number}/" for card in cards]]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "en", "hy"])
def test_no_doubled_full_stops_on_the_main_pages(demo, language):
    found = []
    for username in ROLES:
        user = User.objects.get(username=username)
        User.objects.filter(pk=user.pk).update(language=language)
        client = Client()
        client.force_login(user)
        for url in pages_of(username):
            response = client.get(url)
            if response.status_code != 200:
                continue
            text = strip_tags(response.content.decode())
            found += [f"{username} {url}: …{text[max(m.start() - 60, 0):m.end() + 10]!r}"
                      for m in DOUBLED.finditer(text)]
    tracked = Complaint.objects.exclude(tracking_code="").order_by("-number")[:20]
    for card in tracked:
        text = strip_tags(Client().get(f"/track/{card.number}/", {"code": card.tracking_code},
                                       HTTP_ACCEPT_LANGUAGE=language).content.decode())
        found += [f"track {card.number}: …{text[max(m.start() - 60, 0):m.end() + 10]!r}"
                  for m in DOUBLED.finditer(text)]
    assert found == []
