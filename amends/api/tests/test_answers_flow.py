"""The whole answer through the API only, as an integration makes it: a justified, a partly justified
and an unjustified complaint, each answered in Russian, English and Armenian.

Only what an administrator keeps is set up directly (the letterhead, the people and their roles, the
customer's postal address in the customer records); everything else is a request: registration, the
lifecycle, the measures, the compensation and its approval, the letter drafted, checked, put right and
sent by e-mail to a real SMTP server on the loopback, its deliveries, its PDF and DOCX, and a letter
for post marked as posted. The card's state and clocks are read from the card's API answer.
"""

from email import message_from_bytes, policy
from io import BytesIO

import pytest
from django.utils import timezone
from docx import Document

from amends.answers.tests.conftest import letterhead  # noqa: F401 - the company's letterhead (admin data)
from amends.complaints.choices import Justification
from amends.intake.tests.test_email_smtp import smtp_server  # noqa: F401 - the loopback SMTP server

WORDING = "The kettle arrived with a cracked lid and the courier did not call back."
OPINION = {
    Justification.JUSTIFIED: "The lid was cracked in our warehouse.",
    Justification.PARTLY: "The lid was cracked in transit; the delay was the customer's choice of date.",
    Justification.UNJUSTIFIED: "The lid was cracked after delivery, as the signed acceptance note shows.",
}
# An edited sentence with a stop-phrase in another form than the library's, per language, and what the
# check finds of it.
INFLECTED = {
    "ru": ("Мы не сможем помочь вам с этим.", "не сможем помочь"),
    "en": ("Please stop calming down and read on.", "calming down"),
    "hy": ("Մենք ոչինչ չկարողացանք անել։", "ոչինչ չկարողացանք անել"),
}
WITHIN_LIMIT, ABOVE_LIMIT = "1500.00", "15000.00"  # a responsible person grants a refund up to 10,000


@pytest.fixture
def customer_on_record(contact):
    """The customer as the customer records hold them, with the postal address a letter needs."""
    contact.address = "620000, Yekaterinburg, Lenina St. 5, flat 7"
    contact.save()
    return contact


@pytest.fixture
def people(responsible, qms, operator, executor):
    responsible.first_name, responsible.last_name = "Anna", "Petrova"
    responsible.position, responsible.phone = "Head of service", "+7 495 000-00-01"
    responsible.email = "anna@example.ru"
    responsible.save()
    return {"responsible": responsible, "qms": qms, "operator": operator, "executor": executor}


class Integration:
    """One API client per person, and a call that states the status it expects."""

    def __init__(self, api, people):
        self.clients = {name: api(user) for name, user in people.items()}
        self.people = people

    def __call__(self, who: str, method: str, path: str, body=None, status: int = 200, **headers):
        response = getattr(self.clients[who], method)(f"/api/v1/{path}", body, format="json", **headers)
        assert response.status_code == status, (method, path, response.status_code, response.content[:2000])
        return response if response["Content-Type"] != "application/json" else response.json()


def clocks(card: dict) -> dict:
    return {clock["kind"]: clock for clock in card["clocks"]}


def problem_codes(problems: list[dict], *, blocking: bool) -> set[str]:
    return {problem["code"] for problem in problems if problem["overridable"] is not blocking}


@pytest.mark.parametrize("language", ["ru", "en", "hy"])
@pytest.mark.parametrize("justification", [Justification.JUSTIFIED, Justification.PARTLY, Justification.UNJUSTIFIED])
def test_an_answer_from_registration_to_the_customers_mailbox(
    api, people, customer_on_record, letterhead, smtp_server, cause,  # noqa: F811 - fixtures
    django_capture_on_commit_callbacks, justification, language,
):
    call = Integration(api, people)
    # Registered by the operator's system; the customer is found by their e-mail.
    number = call("operator", "post", "complaints/", {
        "channel": "email", "text": WORDING,
        "customer": {"name": customer_on_record.full_name, "email": customer_on_record.email},
    }, status=201)["number"]
    card_path = f"complaints/{number}/"
    registered = call("operator", "get", card_path)
    assert registered["state"] == "registered" and registered["customer"]["email"] == customer_on_record.email
    assert clocks(registered)["first_response"]["status"] == "on_track"

    # The lifecycle up to the answer, each step by the person whose step it is.
    call("qms", "post", card_path + "transitions/", {"transition": "assign", "responsible": people["responsible"].pk})
    call("responsible", "post", card_path + "transitions/", {"transition": "investigate"})
    call("responsible", "post", card_path + "transitions/", {
        "transition": "decide", "justification": justification, "cause": cause.pk, "opinion": OPINION[justification],
    })
    if justification != Justification.UNJUSTIFIED:
        measure = call("responsible", "post", card_path + "measures/", {
            "description": "Send a new lid by courier", "executor": people["executor"].pk,
            "due_date": timezone.localdate().isoformat(),
        }, status=201)
        call("responsible", "post", card_path + "transitions/", {"transition": "plan"})
        call("qms", "post", card_path + "transitions/", {"transition": "approve"})
        call("executor", "post", card_path + f"measures/{measure['id']}/report/", {"report": "Sent on the day."})
        completed = call("responsible", "post", card_path + "transitions/", {"transition": "complete"})
        assert completed["state"] == "resolved"

    # Compensation: within the limit it is granted at once; above it, it waits for the head of the QMS.
    if justification != Justification.UNJUSTIFIED:
        options = call("responsible", "get", card_path + "compensation/options/")
        refund = next(option for option in options if option["kind"] == "refund")
        assert refund["limit"] == "10000.00"
        value = WITHIN_LIMIT if justification == Justification.JUSTIFIED else ABOVE_LIMIT
        grant_body = {"option": refund["id"], "value": value, "method": "bank transfer",
                      "due_date": timezone.localdate().isoformat()}
        grant = call("responsible", "post", card_path + "compensation/", grant_body, status=201,
                     HTTP_IDEMPOTENCY_KEY=f"grant-{number}")
        assert grant["option"] == {"id": refund["id"], "name": refund["name"]} and grant["value"] == value
        # A retry of the same request grants nothing more.
        assert call("responsible", "post", card_path + "compensation/", grant_body, status=201,
                    HTTP_IDEMPOTENCY_KEY=f"grant-{number}") == grant
        assert len(call("responsible", "get", card_path + "compensation/")["grants"]) == 1
        assert grant["status"] == ("approved" if justification == Justification.JUSTIFIED else "pending")

    # The letter, drafted from the template of the outcome in the customer's language.
    templates = call("responsible", "get", "letter-templates/")
    outcome = {Justification.JUSTIFIED: "satisfied", Justification.PARTLY: "partly",
               Justification.UNJUSTIFIED: "refused"}[justification]
    template = next(t for t in templates if (t["outcome"], t["language"]) == (outcome, language))
    letter = call("responsible", "post", card_path + "letters/", {"language": language, "template": template["id"]},
                  status=201)
    assert (letter["outcome"], letter["language"], letter["template"]) == (outcome, language, template["id"])
    assert letterhead.name in letter["body"] and number in letter["subject"] + letter["body"]
    letter_path = card_path + f"letters/{letter['id']}/"

    # The writer edits the text; the tone check finds the stop-phrase in its other form, with what to say.
    sentence, found = INFLECTED[language]
    edited = letter["body"] + "\n\n" + sentence
    report = call("responsible", "post", "tone-check/", {"text": edited, "language": language})
    (finding,) = [f for f in report["findings"] if edited[f["start"]:f["end"]] == found]
    assert finding["matched"] == found and finding["replacement"]
    letter = call("responsible", "patch", letter_path, {"body": edited})
    missing = call("responsible", "get", letter_path + "missing/")
    assert "tone" in problem_codes(missing, blocking=False)

    # What is missing is listed, and the send answers 409 with the same list, until it is put right.
    if justification == Justification.UNJUSTIFIED:
        assert problem_codes(missing, blocking=True) == {"missing:references"}
    elif justification == Justification.PARTLY:
        assert problem_codes(missing, blocking=True) == {"missing:compensation", "compensation:pending"}
    else:
        assert not problem_codes(missing, blocking=True)
    if problem_codes(missing, blocking=True):
        refused = call("responsible", "post", letter_path + "send/", {"channel": "email", "reason": "Quoted."},
                       status=409)
        assert refused["code"] == "letter_blocked" and refused["problems"] == missing
    if justification == Justification.UNJUSTIFIED:
        reference = next(r for r in call("responsible", "get", "letter-references/") if r["kind"] == "law")
        letter = call("responsible", "patch", letter_path, {
            "references": [reference["id"]], "body": letter["body"] + "\n" + reference["title"],
        })
        assert letter["references"] == [{"id": reference["id"], "title": reference["title"]}]
    if justification == Justification.PARTLY:
        # Only the head of the QMS approves above the limit.
        call("responsible", "post", card_path + f"compensation/{grant['id']}/approve/", status=403)
        approved = call("qms", "post", card_path + f"compensation/{grant['id']}/approve/")
        assert approved["status"] == "approved" and approved["decided_by"]["id"] == people["qms"].pk
        call("qms", "post", card_path + f"compensation/{grant['id']}/approve/", status=409)  # decided already
        # Drafted again, the letter states the approved compensation; the writer's sentence goes in again.
        letter = call("responsible", "post", card_path + "letters/", {"language": language}, status=201)
        assert letter["id"] == int(letter_path.rstrip("/").rsplit("/", 1)[1])  # the same letter, rewritten
        letter = call("responsible", "patch", letter_path, {"body": letter["body"] + "\n\n" + sentence})
    missing = call("responsible", "get", letter_path + "missing/")
    assert not problem_codes(missing, blocking=True) and "tone" in problem_codes(missing, blocking=False)

    # Sent with the stop-phrase only with a reason; e-mail leaves after the request.
    channels = {offer["channel"]: offer["recipient"] for offer in call("responsible", "get", card_path
                                                                       + "deliveries/channels/")}
    assert channels["email"] == customer_on_record.email and "post" in channels and "oral" not in channels
    no_reason = call("responsible", "post", letter_path + "send/", {"channel": "email"}, status=400)
    assert no_reason["code"] == "invalid" and no_reason["errors"]["reason"] and no_reason["problems"] == missing
    with django_capture_on_commit_callbacks(execute=True):
        delivery = call("responsible", "post", letter_path + "send/",
                        {"channel": "email", "reason": "The customer's own words, quoted."}, status=201,
                        HTTP_IDEMPOTENCY_KEY=f"send-{number}")
        assert (delivery["status"], delivery["channel"], delivery["recipient"]) == (
            "queued", "email", customer_on_record.email,
        )
        answered = call("responsible", "get", card_path)
        assert answered["state"] == "answered"
        # The answer is recorded, but the first response is met only by an answer that left.
        assert clocks(answered)["first_response"]["met_at"] is None
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == [customer_on_record.email]
    mail = message_from_bytes(envelope.original_content, policy=policy.default)
    assert mail["Subject"].strip().startswith(f"[#{number}]")
    (pdf,) = [part for part in mail.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert pdf.get_content().startswith(b"%PDF")
    assert sentence in mail.get_body(("plain",)).get_content()

    (sent,) = call("responsible", "get", card_path + "deliveries/")
    assert sent["id"] == delivery["id"] and sent["status"] == "sent" and sent["attachments"] == [pdf.get_filename()]
    assert sent["sent_by"]["id"] == people["responsible"].pk
    # A retry of the send request replays its answer and sends nothing again.
    replay = call("responsible", "post", letter_path + "send/",
                  {"channel": "email", "reason": "The customer's own words, quoted."}, status=201,
                  HTTP_IDEMPOTENCY_KEY=f"send-{number}")
    assert replay["id"] == delivery["id"] and len(smtp_server.envelopes) == 1
    card = call("operator", "get", card_path)
    assert card["state"] == "answered" and card["answer_text"] == call("operator", "get", letter_path)["body"]
    assert clocks(card)["first_response"]["status"] == "met"
    assert clocks(card)["first_response"]["met_at"] == sent["sent_at"]
    assert clocks(card)["decision"]["status"] == "met"  # when it was decided
    assert call("operator", "get", letter_path)["sent_at"] == sent["sent_at"]
    timeline = call("operator", "get", card_path + "timeline/")
    assert any(event["kind"] == "answer_sent" for event in timeline)
    # Sent, the letter is kept as it went.
    assert call("responsible", "patch", letter_path, {"subject": "Another"}, status=409)["code"] == (
        "transition_not_allowed")

    # Its documents, for whoever sees the card.
    document = call("operator", "get", letter_path + "pdf/")
    assert document["Content-Type"] == "application/pdf" and document.content.startswith(b"%PDF")
    docx = call("operator", "get", letter_path + "docx/")
    assert any(letterhead.name in paragraph.text for paragraph in Document(BytesIO(docx.content)).paragraphs)

    if justification == Justification.UNJUSTIFIED:
        # The same letter by post too: printed, then marked as posted on the day it went.
        by_post = call("responsible", "post", letter_path + "send/", {"channel": "post", "reason": "Quoted."},
                       status=201)
        assert by_post["status"] == "queued" and by_post["recipient"] == customer_on_record.address
        envelope_pdf = call("responsible", "get", letter_path + "pdf/?post=true")
        assert envelope_pdf.content.startswith(b"%PDF")
        today = {"posted_on": timezone.localdate().isoformat()}
        posted = call("responsible", "post", card_path + f"deliveries/{by_post['id']}/posted/", today)
        assert posted["status"] == "sent"
        again = call("responsible", "post", card_path + f"deliveries/{by_post['id']}/posted/", today, status=409)
        assert again["code"] == "transition_not_allowed"
        assert [d["channel"] for d in call("operator", "get", card_path + "deliveries/")] == ["email", "post"]
