"""No text stalls the intake: 1 MB of what made a pattern retry from every position (long runs of
letters, digits, dots, "@", "<", quote markers, attribution-like lines) goes through the e-mail
parser, its header readers and registration within a generous bound."""

import pytest

from amends.complaints.models import Complaint
from amends.core.tests.adversarial import TEXTS, within
from amends.duplicates.models import TextSignature
from amends.intake.channels.email.headers import message_ids, parse_address
from amends.intake.channels.email.parser import parse_email
from amends.intake.channels.email.services import email_receive
from amends.intake.channels.email.text import strip_quoted
from amends.intake.models import InboundStatus


def mail(body: str, content_type: str = "text/plain", **headers: str) -> bytes:
    lines = {"From": "Anna <anna@example.ru>", "Subject": "Complaint", "Message-ID": "<hostile@example.ru>", **headers}
    head = "".join(f"{name}: {value}\r\n" for name, value in lines.items())
    return (f"{head}Content-Type: {content_type}; charset=utf-8\r\n\r\n{body}").encode()


@pytest.mark.parametrize("name", TEXTS)
def test_the_quoted_reply_cut_takes_a_hostile_text_in_time(name):
    with within(2):
        strip_quoted(TEXTS[name])


@pytest.mark.parametrize("content_type", ["text/plain", "text/html"])
@pytest.mark.parametrize("name", TEXTS)
def test_the_parser_reads_a_hostile_body_in_time(name, content_type):
    with within(2):
        incoming = parse_email(mail(TEXTS[name], content_type))
    assert incoming.email == "anna@example.ru"


@pytest.mark.parametrize("value", ["a" * 60_000, "a." * 30_000, "a@" * 30_000, "1" * 60_000, "-" * 60_000])
def test_a_hostile_sender_is_read_in_time(value):
    with within(2):
        assert parse_address(value)[1] == ""


def test_a_long_references_header_is_read_in_time():
    references = " ".join(f"<{number}@example.ru>" for number in range(20_000))
    with within(2):
        found = message_ids(references, references)
    assert found == [f"<{number}@example.ru>" for number in range(19_950, 20_000)]


HOSTILE_BODIES = ["letters", "digits", "dotted words", "attribution-like lines", "long character reference"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", HOSTILE_BODIES)
def test_a_hostile_email_is_registered_checked_and_acknowledged_in_time(name):
    with within(3):
        message = email_receive(raw=mail(TEXTS[name], **{"Message-ID": f"<{len(name)}@example.ru>"}),
                                source="email:test").message
    assert message.status == InboundStatus.REGISTERED
    complaint = Complaint.objects.get(inbound_messages=message)
    assert TextSignature.objects.filter(complaint=complaint).exists()
