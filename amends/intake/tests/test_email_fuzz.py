"""Fuzzing the mail parser: random bytes, mutated real samples and random MIME trees.

Whatever arrives, the parser returns a clean result, says the message is a robot's (Ignored), or
raises a parse error (a ValueError) that the pipeline quarantines. UnreadableEmail is the safety
net for a failure of the `email` package itself and must never be needed.
"""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amends.intake.channels.email.errors import MalformedEmail, UnreadableEmail
from amends.intake.channels.email.parser import IncomingEmail, parse_email
from amends.intake.channels.email.services import FINISHED, MAILGATE_SOURCE, email_receive
from amends.intake.models import InboundMessage
from amends.intake.services import Ignored

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "email").glob("*.eml"))
SAMPLES = [path.read_bytes() for path in FIXTURES]
FUZZ = settings(max_examples=200, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check(raw: bytes) -> None:
    try:
        incoming = parse_email(raw)
    except Ignored as ignored:
        assert str(ignored)
        return
    except MalformedEmail as error:
        assert not isinstance(error, UnreadableEmail), f"the email package failed: {error}"
        assert str(error)
        return
    assert isinstance(incoming, IncomingEmail) and incoming.text.strip()
    for value in (incoming.text, incoming.name, incoming.email, incoming.subject, incoming.reply_text,
                  *incoming.references, *(upload.name for upload in incoming.attachments)):
        assert isinstance(value, str) and "\x00" not in value
        value.encode("utf-8")  # no lone surrogates: the database would refuse them
    assert len(incoming.name) <= 300 and len(incoming.email) <= 254
    for upload in incoming.attachments:
        assert upload.name and "/" not in upload.name and len(upload.content_type) <= 100


@FUZZ
@given(st.binary(max_size=4000))
def test_random_bytes(raw):
    check(raw)


@st.composite
def mutated_samples(draw):
    raw = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(1, 8))):
        action = draw(st.sampled_from(["flip", "cut", "insert", "delete", "repeat"]))
        at = draw(st.integers(0, max(len(raw) - 1, 0)))
        if action == "flip" and raw:
            raw[at] = draw(st.integers(0, 255))
        elif action == "cut":
            del raw[at:]
        elif action == "insert":
            raw[at:at] = draw(st.sampled_from([
                b"\r\n", b"\r\n\r\n", b"--", b"=?utf-8?b?", b"?=", b"\x00", b"\xff\xfe", b":", b";", b"\"",
                b"boundary=\"x\"", b"Content-Type: multipart/mixed; boundary=", b"\r\n--outer-7f3a\r\n",
                b"charset=", b"=?koi8-r?q?=F0=D2?=", b"Content-Transfer-Encoding: base64\r\n",
            ]))
        elif action == "delete":
            del raw[at:at + draw(st.integers(1, 200))]
        elif action == "repeat":
            raw[at:at] = raw[at:at + draw(st.integers(1, 300))]
    return bytes(raw)


@FUZZ
@given(mutated_samples())
def test_mutated_real_samples(raw):
    check(raw)


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)
_CHARSETS = st.sampled_from(["utf-8", "koi8-r", "windows-1251", "iso-8859-1", "us-ascii", "x-unknown", "", "utf-16"])


@st.composite
def mime_trees(draw, depth=0):
    content_type = draw(st.sampled_from(
        ["text/plain", "text/html", "application/pdf", "image/jpeg", "message/rfc822", "text/csv"]
        + (["multipart/mixed", "multipart/alternative"] if depth < 3 else [])))
    charset = draw(_CHARSETS)
    headers = [f"Content-Type: {content_type}" + (f"; charset={charset}" if charset else "")]
    if draw(st.booleans()):
        headers.append(f"Content-Disposition: {draw(st.sampled_from(['attachment', 'inline']))}; "
                       f"filename=\"{draw(_TEXT)}\"")
    encoding = draw(st.sampled_from(["", "base64", "quoted-printable", "8bit", "7bit", "x-bogus"]))
    if encoding:
        headers.append(f"Content-Transfer-Encoding: {encoding}")
    head = "\r\n".join(headers).encode("utf-8", "replace")
    if content_type.startswith("multipart/"):
        boundary = f"b{depth}{draw(st.integers(0, 999))}".encode()
        head += b"; boundary=\"" + boundary + b"\"" if b"charset" not in head else b""
        head = head.replace(content_type.encode(), content_type.encode() + b"; boundary=\"" + boundary + b"\"", 1)
        children = draw(st.lists(mime_trees(depth=depth + 1), max_size=3))
        body = b"".join(b"--" + boundary + b"\r\n" + child + b"\r\n" for child in children)
        if draw(st.booleans()):
            body += b"--" + boundary + b"--\r\n"
        return head + b"\r\n\r\n" + body
    if content_type == "message/rfc822":
        return head + b"\r\n\r\nFrom: x@example.ru\r\nSubject: inner\r\n\r\n" + draw(st.binary(max_size=80))
    body = draw(st.one_of(st.binary(max_size=200), _TEXT.map(lambda t: t.encode(charset or "utf-8", "replace")
                                                              if charset not in ("x-unknown",) else t.encode())))
    return head + b"\r\n\r\n" + body


@FUZZ
@given(
    headers=st.lists(st.tuples(
        st.sampled_from(["From", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
                         "Auto-Submitted", "Precedence", "Return-Path", "X-Autoreply", "To"]),
        st.one_of(_TEXT, st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
                  _TEXT.map(lambda t: f"=?utf-8?b?{t.encode().hex()}?= <{t}@example.ru>")),
    ), max_size=8),
    tree=mime_trees(),
)
def test_random_mime_trees(headers, tree):
    head = b"".join(f"{name}: {value}".encode("utf-8", "replace").replace(b"\n", b" ").replace(b"\r", b" ")
                    + b"\r\n" for name, value in headers)
    check(head + b"MIME-Version: 1.0\r\n" + tree)


@settings(max_examples=40, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=st.one_of(mutated_samples(), st.binary(max_size=500)))
def test_whatever_arrives_ends_registered_threaded_ignored_or_quarantined(db, raw):
    receipt = email_receive(raw=raw, source=MAILGATE_SOURCE)
    assert receipt.message.status in FINISHED
    if not receipt.replay:  # (a replay: the same Message-ID and body as an earlier example)
        assert bytes(InboundMessage.objects.get(pk=receipt.message.pk).raw) == raw
