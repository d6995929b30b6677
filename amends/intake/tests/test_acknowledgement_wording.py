"""The acknowledgement's wording is rendered once a language; each card's values go in its slots."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from amends.complaints.models import Complaint
from amends.customers.models import Contact
from amends.intake.acknowledge import _worded
from amends.intake.outbound import tracking_url_proving


def rendered_for_the_card(complaint: Complaint, language: str) -> tuple[str, str]:
    with translation.override(language):
        text = render_to_string("intake/acknowledgement.txt", {
            "complaint": complaint, "tracking_url": tracking_url_proving(complaint),
        })
        subject = _("Your complaint is registered under No. %(number)s") % {"number": complaint.number}
    return subject, text


@pytest.mark.parametrize("language", ["ru", "en", "hy"])
@pytest.mark.parametrize("name", ["Анна Петрова", "100% {{ x }} \x00number\x00 <b>", None])
@pytest.mark.parametrize("thread_key", ["", "widget:42"])
def test_the_wording_rendered_once_is_the_wording_rendered_for_the_card(language, name, thread_key):
    contact = Contact(full_name=name, email="anna@example.ru", provisional=True) if name is not None else None
    complaint = Complaint(number="2026-000123", tracking_code="abc", thread_key=thread_key, contact=contact)
    assert _worded(complaint, language) == rendered_for_the_card(complaint, language)
    assert "\x00" not in _worded(complaint, language)[1].replace(name or "", "")
