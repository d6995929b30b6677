"""The customer's tracking page: a private link, plain-words stage, the conversation, new messages."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from amends.complaints.choices import Channel, EventKind, Justification, State
from amends.complaints.models import Attachment, Cause, TimelineEvent
from amends.complaints.services import (
    complaint_add_message,
    complaint_add_note,
    complaint_attach,
    complaint_register,
    complaint_transition,
    complaint_update,
)
from amends.intake.channels.web_form.selectors import complaint_for_tracking
from amends.notifications.delivery import notifications_deliver


@pytest.fixture
def card(contact):
    """A card the customer sent through the site, with a photo."""
    return complaint_register(
        actor=None, channel=Channel.WEB_FORM, contact=contact,
        wording="Чайник протекает. <script>alert('x')</script> <b>bold</b>",
        attachments=[SimpleUploadedFile("leak.jpg", b"jpeg", content_type="image/jpeg")],
    )


@pytest.fixture
def responsible_person(make_user):
    from amends.accounts.roles import Role

    return make_user("roman", Role.RESPONSIBLE, last_name="Rostovsky", email="roman@example.com")


def url(complaint, code=None):
    base = f"/track/{complaint.number}/"
    code = complaint.tracking_code if code is None else code
    return f"{base}?code={code}"


def assign(card, qms, responsible):
    return complaint_transition(complaint=card, name="assign", actor=qms, data={"responsible": responsible})


def test_route_name(card):
    assert reverse("web_form:track", args=[card.number]) == f"/track/{card.number}/"


def test_right_code_shows_stage_date_and_the_complaint(english, card):
    response = english.get(url(card))
    assert response.status_code == 200
    html = response.content.decode()
    assert card.number in html and "We have received your complaint" in html
    assert response.context["expected"] == timezone.localdate(card.received_at + timedelta(days=1))
    assert "Expected answer by" in html
    assert "leak.jpg" in html
    assert 'name="robots" content="noindex' in html and "no-store" in response["Cache-Control"]


def test_script_in_the_text_is_shown_as_text(english, card):
    html = english.get(url(card)).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>" not in html and "<b>bold" not in html


def test_wrong_missing_or_foreign_code_and_unknown_number_give_the_same_404(english, card, contact):
    other = complaint_register(actor=None, channel=Channel.WEB_FORM, contact=contact, wording="Другая")
    answers = [
        english.get(url(card, code="wrong-code-wrong-code-xx")),
        english.get(url(card, code="")),
        english.get(f"/track/{card.number}/"),
        english.get(url(card, code=other.tracking_code)),
        english.get(url(card, code=card.tracking_code.upper())),
        english.get(url(card, code="ключ")),
        english.post(url(card, code="wrong"), {"text": "Впустите"}),
    ]
    assert {answer.status_code for answer in answers} == {404}
    assert len({answer.content for answer in answers}) == 1
    unknown = english.get(f"/track/2099-999999/?code={card.tracking_code}")
    assert unknown.status_code == 404
    assert unknown.content == answers[0].content
    assert card.number not in answers[0].content.decode() and "wrong-code" not in answers[0].content.decode()
    assert not card.events.filter(kind=EventKind.MESSAGE_IN).exists()


def test_lookup_rejects_everything_but_the_exact_code(card):
    assert complaint_for_tracking(card.number, card.tracking_code) == card
    assert complaint_for_tracking(card.number, card.tracking_code[:-1]) is None
    assert complaint_for_tracking("x" * 500, card.tracking_code) is None


def test_stage_follows_the_lifecycle_in_customer_words(english, card, qms, responsible_person):
    assign(card, qms, responsible_person)
    complaint_transition(complaint=card, name="investigate", actor=responsible_person)
    response = english.get(url(card))
    assert "We are looking into it" in response.content.decode()
    assert response.context["expected"] == timezone.localdate(card.received_at + timedelta(days=10))


def test_messages_both_ways_are_shown_but_internal_work_is_not(english, card, qms, responsible_person):
    assign(card, qms, responsible_person)
    complaint_add_note(complaint=card, actor=qms, text="Internal: supplier batch 17 is suspect")
    complaint_update(complaint=card, actor=qms, changes={"project": "Secret project X"})
    complaint_add_message(complaint=card, incoming=False, actor=responsible_person,
                          text="Could you send a photo of the label?")
    complaint_add_message(complaint=card, incoming=True, text="Here it is.",
                          attachments=[SimpleUploadedFile("label.png", b"png", content_type="image/png")])
    complaint_attach(complaint=card, actor=qms,
                     upload=SimpleUploadedFile("internal-audit.pdf", b"%PDF", content_type="application/pdf"))
    assert Attachment.objects.filter(complaint=card, original_name="internal-audit.pdf").exists()

    html = english.get(url(card)).content.decode()
    assert "Could you send a photo of the label?" in html and "Roman, customer care" in html
    assert "Here it is." in html and "label.png" in html
    for hidden in ("supplier batch 17", "Secret project X", "internal-audit.pdf", "Rostovsky",
                   "roman@example.com", qms.first_name):
        assert hidden not in html
    conversation = english.get(url(card)).context["conversation"]
    assert [item.from_customer for item in conversation] == [True, False, True]
    assert conversation[2].files == ["label.png"]


def test_the_final_answer_is_shown_once_given(english, card, qms, responsible_person):
    assign(card, qms, responsible_person)
    complaint_transition(complaint=card, name="investigate", actor=responsible_person)
    complaint_transition(complaint=card, name="decide", actor=responsible_person, data={
        "justification": Justification.UNJUSTIFIED, "opinion": "Opinion kept inside",
        "cause": Cause.objects.order_by("pk").first(),
    })
    assert "Our answer" not in english.get(url(card)).content.decode()
    complaint_transition(complaint=card, name="answer", actor=responsible_person,
                         data={"answer_text": "The kettle was used with salt water.\nWe offer a descaler."})
    response = english.get(url(card))
    html = response.content.decode()
    card.refresh_from_db()
    assert card.state == State.ANSWERED
    assert "Our answer" in html and "We have answered you" in html
    assert "The kettle was used with salt water.<br>We offer a descaler." in html
    assert "Opinion kept inside" not in html and response.context["expected"] is None


def test_customer_message_lands_on_the_timeline_and_notifies_the_responsible(
    english, card, qms, responsible_person, django_capture_on_commit_callbacks,
):
    assign(card, qms, responsible_person)
    mail.outbox.clear()
    receipt = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4", content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = english.post(url(card), {"text": "I also have the receipt.", "attachments": [receipt]})
    assert response.status_code == 302 and response["Location"] == url(card)

    message = card.events.get(kind=EventKind.MESSAGE_IN)
    assert message.text == "I also have the receipt." and message.actor is None
    stored = card.attachments.get(original_name="receipt.pdf")
    assert stored.uploaded_by is None
    assert card.events.filter(kind=EventKind.ATTACHMENT, attachment=stored, actor=None).exists()

    notifications_deliver()
    [notice] = mail.outbox
    assert notice.to == ["roman@example.com"] and f"[#{card.number}]" in notice.subject
    assert "I also have the receipt." in notice.body and "receipt.pdf" in notice.body
    assert f"https://complaints.example.com/complaints/{card.number}/" in notice.body

    page = english.get(response["Location"])
    assert "your message has been added" in page.content.decode()
    assert "I also have the receipt." in page.content.decode()


def test_a_file_alone_is_a_message(english, card, django_capture_on_commit_callbacks):
    photo = SimpleUploadedFile("more.jpg", b"jpeg", content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = english.post(url(card), {"text": "", "attachments": [photo]})
    assert response.status_code == 302
    assert card.attachments.filter(original_name="more.jpg").exists()
    assert mail.outbox == []  # nobody is responsible yet, so nobody is told


def test_an_empty_message_or_a_forbidden_file_is_refused(english, card):
    empty = english.post(url(card), {"text": "  "})
    assert empty.status_code == 400 and "Write a message or choose a file." in empty.content.decode()
    program = SimpleUploadedFile("run.exe", b"MZ")
    refused = english.post(url(card), {"text": "see file", "attachments": [program]})
    assert refused.status_code == 400 and "are not accepted" in refused.content.decode()
    assert not card.events.filter(kind=EventKind.MESSAGE_IN).exists()


def test_script_in_a_customer_message_is_shown_as_text(english, card, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        english.post(url(card), {"text": "<img src=x onerror=alert(1)>"})
    html = english.get(url(card)).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html


def test_messages_from_the_tracking_page_are_rate_limited(settings, english, card):
    settings.AMENDS_TRACK_MESSAGE_RATE = "2/10m"
    for text in ("one", "two"):
        assert english.post(url(card), {"text": text}).status_code == 302
    refused = english.post(url(card), {"text": "three"})
    assert refused.status_code == 429 and "Please try again later" in refused.content.decode()
    assert card.events.filter(kind=EventKind.MESSAGE_IN).count() == 2


def test_a_closed_card_still_takes_a_message(english, card, qms):
    complaint_transition(complaint=card, name="withdraw", actor=qms, comment="Asked by phone")
    response = english.get(url(card))
    assert "Withdrawn" in response.content.decode() and "This complaint is closed" in response.content.decode()
    assert "Asked by phone" not in response.content.decode()
    assert english.post(url(card), {"text": "Actually, not solved"}).status_code == 302
    assert TimelineEvent.objects.filter(complaint=card, kind=EventKind.MESSAGE_IN).count() == 1


def test_thank_you_page_needs_the_code_too(english, card):
    assert english.get(f"/complain/thanks/{card.number}/?code={card.tracking_code}").status_code == 200
    wrong = english.get(f"/complain/thanks/{card.number}/?code=nope")
    assert wrong.status_code == 404 and "This link does not open a complaint" in wrong.content.decode()


def test_a_customer_known_only_by_phone_is_answered_on_their_tracking_page(english, contact, qms, responsible_person):
    from django.test import Client

    from amends.deadlines.models import Clock

    contact.email = ""
    contact.save()
    card = complaint_register(actor=None, channel=Channel.WEB_FORM, contact=contact, wording="Чайник протекает")
    assign(card, qms, responsible_person)
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    staff.force_login(responsible_person)
    page = staff.get(reverse("complaints:detail", args=[card.number])).content.decode()
    assert "Goes to: their tracking page" in page
    response = staff.post(reverse("intake:message_customer", args=[card.number]),
                          {"customer-text": "We are sending a courier tomorrow."})
    assert response.status_code == 302 and mail.outbox == []
    assert Clock.objects.get(complaint=card, kind="first_response").met_at is not None
    assert "We are sending a courier tomorrow." in english.get(url(card)).content.decode()


@pytest.mark.parametrize("who", ["manager", "qms", "responsible_person"])
def test_a_signed_in_employee_may_not_post_as_the_customer(english, card, request, who):
    """Anyone holding the link posted on it, and it was stored as the customer's own message; an
    employee is refused there and told to write from the card, under their own name."""
    english.force_login(request.getfixturevalue(who))
    before = TimelineEvent.objects.filter(complaint=card).count()
    response = english.post(url(card), {"text": "Всё решено, жалобу можно закрыть."})
    assert response.status_code == 403
    assert "You are signed in as an employee" in response.content.decode()
    assert TimelineEvent.objects.filter(complaint=card).count() == before
    page = english.get(url(card)).content.decode()
    assert 'name="text"' not in page and "You are signed in as an employee" in page


def test_the_customer_still_posts_on_their_page(english, card):
    response = english.post(url(card), {"text": "Есть чек."})
    assert response.status_code == 302
    event = TimelineEvent.objects.get(complaint=card, kind=EventKind.MESSAGE_IN)
    assert (event.actor, event.text) == (None, "Есть чек.")
