"""Hostile probe, run by hand: `.venv/bin/python bench/probe.py [--families xss,injection,malformed]`.

Issue 12 ("probes tried: XSS, injection, malformed"). On a throwaway instance -- SQLite in a temporary
folder with the demo data, scripts/serve and `amends worker` beside it, as bench/intake.py starts
them -- it plays an attacker and prints, per family, how many probes it tried and how many were
handled safely, with every failure in detail; it exits 1 if any failed.

1. xss: one payload per vector (<script>, <img onerror>, "><svg onload>, a javascript: link, template
   expressions) in every text field a customer or an employee can fill -- read from the forms, the API
   serializers and the transitions' inputs -- through the web form, the tracking page, the API, the
   card's forms, the admin, the mailgate and a webhook; then every page that shows them is opened in
   headless Chromium twice: with the CSP bypassed (a payload that runs calls window.__pwned) and
   under the CSP (a refused inline script is a console violation). Safe: nothing ran, no element or
   handler came from a payload, no template expression was evaluated.
2. injection: SQL-ish, LIKE-wildcard, unicode, NUL, long and lookup values in every filter, sort and
   search parameter of the list page (its form, with the filters other apps register) and of the API
   (read from its OpenAPI schema), in the tracking code and the card number, and CRLF in names and
   subjects that could reach outgoing mail headers. Safe: 200/400/404, no 5xx, and never more cards
   than the honest query (the same search done in Python over the cards the caller may see).
3. malformed: broken, deep, huge, mistyped and wrongly encoded bodies, bad multipart and uploads, bad
   dates and numbers, IDs of what the caller cannot see, broken e-mails through the mailgate and the
   parser. Safe: a clear 4xx (mail: kept, then registered, ignored or quarantined with a reason), no
   traceback, nothing stored by a refused request, and the worker still registering afterwards.

tests/test_probe.py runs 2 and 3, reduced, through Django's test client on every CI run, from the
same lists.
"""

import argparse
import base64
import http.client
import json
import logging
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if __name__ == "__main__":
    # A throwaway instance, shared with the server and the worker this script starts: production
    # settings, its own database, media, mail files and cache under a temporary folder.
    VAR_DIR = tempfile.mkdtemp(prefix="amends-probe-")
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.base", "AMENDS_VAR_DIR": VAR_DIR, "DEBUG": "0",
        "LOG_LEVEL": "WARNING", "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(Path(VAR_DIR) / "mail"), "AMENDS_MAILGATE_SECRET": secrets.token_hex(16),
        # The probe sends thousands of requests from one address: the per-address limits are not under test.
        "AMENDS_WEB_FORM_RATE": "off", "AMENDS_TRACK_MESSAGE_RATE": "off", "AMENDS_API_TOKEN_RATE": "off",
        "AMENDS_PUBLIC_UPLOAD_QUOTA": "off",
    })
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()

from django import forms  # noqa: E402
from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib import admin  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import Model  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart  # noqa: E402
from django.urls import URLPattern, URLResolver, get_resolver, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from drf_spectacular.generators import SchemaGenerator  # noqa: E402
from rest_framework import serializers  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from amends.accounts.models import User  # noqa: E402
from amends.api.models import IdempotencyKey  # noqa: E402
from amends.api.serializers.complaints import ComplaintCreateSerializer  # noqa: E402
from amends.api.serializers.timeline import NoteInputSerializer  # noqa: E402
from amends.complaints import forms as card_forms  # noqa: E402
from amends.complaints.choices import Channel, EventKind, Justification  # noqa: E402
from amends.complaints.converters import CardNumberConverter  # noqa: E402
from amends.complaints.models import Attachment, Complaint, Measure, TimelineEvent  # noqa: E402
from amends.complaints.selectors import SET_ASIDE_STATES, complaints_visible_to  # noqa: E402
from amends.complaints.services import complaint_attach, complaint_register  # noqa: E402
from amends.complaints.transitions import TRANSITIONS  # noqa: E402
from amends.customers.models import phone_digits  # noqa: E402
from amends.customers.selectors import contact_search  # noqa: E402
from amends.customers.services import contact_create  # noqa: E402
from amends.deadlines.forms import ExtensionForm, PresetForm, WaitingForm  # noqa: E402
from amends.deadlines.models import Clock  # noqa: E402
from amends.intake.channels.email.parser import parse_email  # noqa: E402
from amends.intake.channels.web_form.forms import ComplaintForm, TrackingMessageForm  # noqa: E402
from amends.intake.channels.webhooks.signing import SIGNATURE_HEADER, signature  # noqa: E402
from amends.intake.forms import CustomerMessageForm  # noqa: E402
from amends.intake.models import InboundMessage, InboundStatus, WebhookSource  # noqa: E402
from amends.intake.queue import inbound_process_queued  # noqa: E402
from amends.intake.services import Ignored  # noqa: E402
from amends.notifications.card import notify_users  # noqa: E402
from bench.intake import BIN, free_port, owed, start_server  # noqa: E402

# ---------------------------------------------------------------- probes and how they are sent


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes = b""
    content_type: str = ""
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Answer:
    status: int  # 0: the connection failed
    headers: dict[str, str]  # names in lower case
    body: bytes


@dataclass(frozen=True)
class Probe:
    family: str
    name: str
    who: str  # a role of Target.users (a signed-in session), "api:<role>" (its token) or "" (nobody)
    request: Request
    expect: frozenset[int]  # the statuses that are a safe answer
    check: Callable[[Answer], str] | None = None  # more to check on the answer: "" when safe, else why not
    stores: bool = False  # whether the request may store anything; else nothing may be stored
    heavy: bool = False  # tens of megabytes: left out of the reduced run


SAFE_REFUSAL = frozenset({400, 404, 413, 415})
TRACEBACK = re.compile(rb"Traceback \(most recent call last\)|File \"/")


def get(path: str, params: dict | None = None, raw_query: str = "") -> Request:
    query = raw_query or (urllib.parse.urlencode(params, doseq=True) if params else "")
    return Request("GET", f"{path}?{query}" if query else path)


def post_json(path: str, data: object, *, content_type: str = "application/json", headers=()) -> Request:
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return Request("POST", path, body, content_type, tuple(headers))


def post_form(path: str, fields: dict, files: dict | None = None) -> Request:
    """Fields as a browser posts them; with files (name → (file name, bytes)), as multipart."""
    if files is None:
        return Request("POST", path, urllib.parse.urlencode(fields, doseq=True).encode(),
                       "application/x-www-form-urlencoded")
    data = dict(fields)
    for name, (filename, content) in files.items():
        data[name] = SimpleUploadedFile(filename, content, "application/octet-stream")
    return Request("POST", path, encode_multipart(BOUNDARY, data), MULTIPART_CONTENT)


def raw_multipart(path: str, parts: bytes, boundary: str = "probe") -> Request:
    """A multipart body written by hand, for what a well-behaved encoder never sends."""
    return Request("POST", path, parts, f"multipart/form-data; boundary={boundary}")


def file_part(name: str, filename: str, content: bytes, boundary: str = "probe") -> bytes:
    return (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()


class ClientRunner:
    """Sends probes through Django's test client, in this process: tests/test_probe.py, and the planting."""

    def __init__(self, users: dict):
        self.users, self.clients = users, {}

    def client(self, who: str) -> Client:
        if who not in self.clients:
            client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
            if who.startswith("api:"):
                token, _created = Token.objects.get_or_create(user=self.users[who[4:]])
                client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
            elif who:
                client.force_login(self.users[who])
            self.clients[who] = client
        return self.clients[who]

    def send(self, who: str, request: Request) -> Answer:
        response = self.client(who).generic(
            request.method, request.path, request.body, content_type=request.content_type or "application/octet-stream",
            headers=dict(request.headers),
        )
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return Answer(response.status_code, {k.lower(): v for k, v in response.items()}, body)


class HttpRunner(ClientRunner):
    """Sends probes to the running server over HTTP; sessions and tokens are made in this process."""

    CSRF = "probeprobeprobeprobeprobeprobe42"  # any 32 letters and digits is a valid CSRF secret

    def __init__(self, users: dict, port: int):
        super().__init__(users)
        self.port = port

    def send(self, who: str, request: Request) -> Answer:
        headers = {"Accept-Language": "en", "Cookie": f"csrftoken={self.CSRF}", "X-CSRFToken": self.CSRF,
                   **dict(request.headers)}
        client = self.client(who)
        if who.startswith("api:"):
            headers["Authorization"] = client.defaults["HTTP_AUTHORIZATION"]
        elif who:
            headers["Cookie"] += f"; sessionid={client.cookies['sessionid'].value}"
        if request.content_type:
            headers["Content-Type"] = request.content_type
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            try:
                connection.request(request.method, request.path, body=request.body or None, headers=headers)
            except (BrokenPipeError, ConnectionResetError):
                pass  # answered (a 413) and closed before the whole body was sent: the answer is read below
            response = connection.getresponse()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        except (OSError, http.client.HTTPException) as error:
            return Answer(0, {}, f"{type(error).__name__}: {error}".encode())
        finally:
            connection.close()


# Timeline entries only a request writes; the worker adds others (registrations, acknowledgements, deadlines).
REQUEST_EVENTS = [EventKind.NOTE, EventKind.CALL, EventKind.TRANSITION, EventKind.FIELD_CHANGE, EventKind.MEASURE]


def stored_counts() -> tuple[int, ...]:
    """What a request could store: a refused one must leave every count as it was. Not what the worker
    does meanwhile with what earlier probes stored: every channel stores its message first (counted),
    and only the staff's screens register a card directly (counted: cards without a stored message)."""
    return (
        InboundMessage.objects.count(), Complaint.objects.filter(inbound_messages__isnull=True).count(),
        Attachment.objects.count(), Measure.objects.count(), IdempotencyKey.objects.count(),
        TimelineEvent.objects.filter(kind__in=REQUEST_EVENTS).count(),
    )


@dataclass
class Outcome:
    tried: Counter = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (family, what happened)

    def record(self, family: str, failure: str) -> None:
        self.tried[family] += 1
        if failure:
            self.failures.append((family, failure))

    def failed(self, family: str) -> int:
        return sum(1 for f, _what in self.failures if f == family)


def judge(probe: Probe, answer: Answer) -> str:
    if answer.status not in probe.expect:
        why = f"answered {answer.status or answer.body.decode(errors='replace')}, expected {sorted(probe.expect)}"
        return f"{why}: {answer.body[:120].decode(errors='replace')!r}"
    if TRACEBACK.search(answer.body):
        return "the answer shows a traceback"
    return probe.check(answer) if probe.check else ""


def run_probes(runner, probes: Iterable[Probe], outcome: Outcome) -> None:
    for probe in probes:
        before = None if probe.stores else stored_counts()
        failure = judge(probe, runner.send(probe.who, probe.request))
        if not failure and before is not None and (after := stored_counts()) != before:
            failure = f"a refused request stored something: counts {before} → {after}"
        outcome.record(probe.family, f"{probe.name} as {probe.who or 'nobody'}: {failure}" if failure else "")


# ---------------------------------------------------------------- what the probes aim at


@dataclass
class Target:
    """Who probes, and on what: a card the operator registered and may see, and one the operator
    and the executor may not see, with a measure, an attachment, a clock and a notification on it."""

    users: dict  # role → User: operator, executor, responsible, qms, manager, admin
    own: Complaint
    own_attachment: int  # script in a file named .jpg
    foreign: Complaint
    foreign_measure: int
    foreign_attachment: int
    foreign_clock: int
    foreign_notification: int  # the qms's, opened by the operator
    webhook: str  # a generic webhook source's name
    webhook_secret: str


def target_build(users: dict) -> Target:
    """The cards and things the probes aim at, made through the services as the app makes them."""

    def card(actor, name: str) -> Complaint:
        contact = contact_create(full_name=name, phone="+7 912 000-11-22", email=f"{name.lower()}@example.com")
        return complaint_register(actor=actor, channel=Channel.PHONE, contact=contact,
                                  wording=f"{name}: the kettle lid is cracked.")

    own, foreign = card(users["operator"], "Probe"), card(users["qms"], "Hidden")
    # Its executor is the head of the QMS, so that the probing executor has no tie to the card.
    measure = Measure.objects.create(complaint=foreign, description="Hidden measure", executor=users["qms"],
                                     due_date=timezone.localdate() + timedelta(days=7))
    attachment = complaint_attach(complaint=foreign, actor=users["qms"],
                                  upload=SimpleUploadedFile("hidden.pdf", b"%PDF-1.4 hidden", "application/pdf"))
    disguised = complaint_attach(complaint=own, actor=users["operator"],
                                 upload=SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>", "text/html"))
    notify_users([users["qms"]], foreign, template="web_form/notify_responsible.txt", text="Hidden", files=[])
    secret = secrets.token_hex(16)
    source = WebhookSource.objects.create(name=f"probe-{secrets.token_hex(3)}", kind="generic", secret=secret)
    return Target(
        users=users, own=own, own_attachment=disguised.pk, foreign=foreign, foreign_measure=measure.pk,
        foreign_attachment=attachment.pk,
        foreign_clock=Clock.objects.filter(complaint=foreign).values_list("pk", flat=True).first() or 0,
        foreign_notification=users["qms"].notifications.values_list("pk", flat=True).first() or 0,
        webhook=source.name, webhook_secret=secret,
    )


# ---------------------------------------------------------------- family 2: injection

INJECTION = "injection"
INJECTION_VALUES = [
    "'", '"', "' OR 1=1--", "' OR '1'='1", '") OR ("1"="1', "1; DROP TABLE complaints_complaint;--",
    "%", "_", "%_%", "\\", "\\%", "*", "ё Ё Ա ß İ", "😀", "\x00", "a\x00b", "x" * 5000, "-1",
    "99999999999999999999", "1e308", "[]", "null", "true",
]
# Sent as they are, not percent-encoded again: invalid UTF-8 and broken escapes.
RAW_VALUES = ["%FF", "%ED%A0%80", "%C0%AF", "%25%", "%"]
REDUCED_VALUES = ["' OR 1=1--", "%", "_", "\x00", "x" * 300, "99999999999999999999"]
# The reduced run's values for the page's other parameters: its list renders slowly under the test client.
REDUCED_OTHER = ["\x00' OR 1=1--"]
# Parameters no page takes: Django lookups that would leak a password hash if ever applied.
LOOKUPS = ["contact__user__password__startswith", "responsible__password__startswith", "registered_by__password",
           "order_by", "ordering"]
SORTS = ["contact__user__password", "-responsible__password", "?", "pk", "password", "state,password", "-"]


def card_routes(number: str) -> list[str]:
    """Every page of the UI whose path names a card, read from the URL configuration, for the card
    `number`: a new page taking a number is probed without being listed here."""
    dummy = {"pk": 1, "name": "assign"}
    paths = []

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, ":".join(filter(None, (namespace, pattern.namespace))))
            elif isinstance(pattern, URLPattern) and isinstance(
                getattr(pattern.pattern, "converters", {}).get("number"), CardNumberConverter,
            ):
                names = pattern.pattern.converters
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                paths.append(reverse(name, kwargs={k: number if k == "number" else dummy[k] for k in names}))

    walk(get_resolver().url_patterns, "")
    return paths


def admin_changelists() -> list[str]:
    return [reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            for model in admin.site._registry]


def ui_list_params() -> list[str]:
    """The list page's own parameters: its filter form, with the filters other apps register, and the page."""
    return [*card_forms.ComplaintFilterForm().fields, "page"]


def api_list_params() -> list[str]:
    """The API list's parameters, as its OpenAPI schema publishes them."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [p["name"] for p in schema["paths"]["/api/v1/complaints/"]["get"]["parameters"] if p["in"] == "query"]


LIST_COUNT = re.compile(rb'<p class="muted" id="list-count">(\d+) complaints?[ <]')


def listed(answer: Answer) -> int | None:
    if answer.headers.get("content-type", "").startswith("application/json"):
        return json.loads(answer.body).get("count")
    found = LIST_COUNT.search(answer.body)
    return int(found.group(1)) if found else None


def honest_search(user, term: str) -> int | None:
    """The list's search done in Python over the cards the user may see; None where a phone number
    search joins in (five digits or more), which this does not repeat."""
    term = term.strip()
    if len(phone_digits(term)) >= 5:
        return None
    # As the list: duplicates and withdrawn cards only when asked for.
    cards = complaints_visible_to(user).exclude(state__in=SET_ASIDE_STATES).select_related("contact", "organisation")
    if not term:
        return cards.count()
    needle = term.lower()

    def hit(card) -> bool:
        contact, organisation = card.contact, card.organisation
        values = [card.number, card.wording, card.order_reference, organisation.name if organisation else "",
                  contact.full_name if contact else "", contact.email if contact else ""]
        return any(needle in (value or "").lower() for value in values)

    return sum(1 for card in cards.iterator() if hit(card))


def list_check(user, param: str, value: str) -> Callable[[Answer], str]:
    """A 200 lists no card the user may not see, and no other number than the honest query."""

    def check(answer: Answer) -> str:
        if answer.status != 200:
            return ""
        count, visible = listed(answer), complaints_visible_to(user).count()
        if count is None:
            return "no count of complaints in the answer"
        if count > visible:
            return f"listed {count} complaints, the user may see {visible}"
        honest: int | None = complaints_visible_to(user).exclude(state__in=SET_ASIDE_STATES).count()
        if param == "q" and "\x00" not in value:
            honest = honest_search(user, value)
        elif param in card_forms.ComplaintFilterForm().fields or param in ("page", "sort"):
            honest = None  # a real filter: bounded by what the user may see, checked above
        if honest is not None and count != honest:
            return f"listed {count} complaints, the honest query gives {honest}"
        return ""

    return check


def lookup_check(answer: Answer) -> str:
    if answer.status != 200:
        return ""
    return "" if len(json.loads(answer.body)["results"]) <= 10 else "more than 10 contacts"


def lookup_honest(term: str) -> Callable[[Answer], str]:
    def check(answer: Answer) -> str:
        if answer.status != 200:
            return ""
        got, honest = len(json.loads(answer.body)["results"]), len(contact_search(term))
        return "" if got == honest else f"{got} contacts found, the honest search finds {honest}"

    return check


def not_redirected_away(answer: Answer) -> str:
    location = answer.headers.get("location", "")
    return "" if not location or location.startswith("/") and not location.startswith("//") \
        else f"redirected off the site to {location!r}"


def injection_probes(target: Target, *, reduced: bool = False) -> list[Probe]:
    values = REDUCED_VALUES if reduced else INJECTION_VALUES
    raws = RAW_VALUES[:2] if reduced else RAW_VALUES
    operator, executor = target.users["operator"], target.users["executor"]
    probes: list[Probe] = []
    ok = frozenset({200, 400, 404})
    for path, who, user, params in (
        ("/complaints/", "operator", operator, [*ui_list_params(), *LOOKUPS]),
        ("/api/v1/complaints/", "api:operator", operator, [*api_list_params(), *LOOKUPS]),
        *(() if reduced else (
            ("/complaints/", "executor", executor, ["q", *LOOKUPS]),
            ("/api/v1/complaints/", "api:executor", executor, ["q", *LOOKUPS]),
        )),
    ):
        for param in params:
            few = reduced and path == "/complaints/" and param != "q"
            for value in (REDUCED_OTHER if few else values) + (SORTS if param == "sort" else []):
                probes.append(Probe(INJECTION, f"GET {path}?{param}={value[:40]!r}", who, get(path, {param: value}),
                                    ok, list_check(user, param, value)))
            for raw in raws[:1] if few else raws:
                probes.append(Probe(INJECTION, f"GET {path}?{param}={raw}", who, get(path, raw_query=f"{param}={raw}"),
                                    ok, list_check(user, param, urllib.parse.unquote(raw, errors="replace"))))
    number, code = target.own.number, target.own.tracking_code
    for value in values:
        quoted = urllib.parse.quote(value, safe="")
        probes += [
            Probe(INJECTION, f"tracking code {value[:40]!r}", "", get(f"/track/{number}/", {"code": value}),
                  frozenset({404})),
            Probe(INJECTION, f"thanks page code {value[:40]!r}", "",
                  get(f"/complain/thanks/{number}/", {"code": value}), frozenset({404})),
            Probe(INJECTION, f"card number {value[:40]!r}", "operator", get(f"/complaints/{quoted}/"),
                  frozenset({404})),
            Probe(INJECTION, f"API card number {value[:40]!r}", "api:operator", get(f"/api/v1/complaints/{quoted}/"),
                  frozenset({404})),
            Probe(INJECTION, f"customer lookup {value[:40]!r}", "operator", get("/customers/lookup/", {"q": value}),
                  frozenset({200}), lookup_honest(value)),
        ]
    # Every page that takes a card number, with a number that is none.
    for path in card_routes(number):
        for value in ["a\x00b"] if reduced else ["\x00", "a\x00b", f"{number}\x00", "' OR 1=1--", "%", "x" * 5000]:
            wrong = path.replace(number, urllib.parse.quote(value, safe=""), 1)
            for method in ("POST",) if reduced else ("GET", "POST"):
                probes.append(Probe(INJECTION, f"{method} {wrong[:80]}", "qms", Request(method, wrong),
                                    frozenset({404, 405})))
    # The admin's search, order, page and filter parameters on every list it has.
    admin_values = {"q": ["a\x00b"]} if reduced else {
        "q": ["\x00", "a\x00b", "' OR 1=1--", "%", "x" * 5000], "o": ["99", "-1.abc", "password"],
        "p": ["-1", "abc", "99999999999999999999"], "password__startswith": ["a"], "user__password__startswith": ["a"],
        "id__in": ["1,x"], "pk__gt": ["' OR 1=1--"],
    }
    for path in admin_changelists():
        for param, param_values in admin_values.items():
            probes += [Probe(INJECTION, f"admin {path}?{param}={value[:40]!r}", "admin", get(path, {param: value}),
                             frozenset({200, 302, 400})) for value in param_values]
    probes += [
        Probe(INJECTION, "tracking page with two codes", "", get(f"/track/{number}/", raw_query=f"code=x&code={code}"),
              frozenset({200, 404})),
        Probe(INJECTION, "customer lookup with a lookup parameter", "operator",
              get("/customers/lookup/", {"q": "a", "user__password__startswith": "a"}), frozenset({200}), lookup_check),
    ]
    # Open redirects: where the language switch and the login send the browser next.
    for next_url in ("//evil.example/", "https://evil.example/", "javascript:alert(1)", "/\\evil.example",
                     "\\\\evil.example", "http:evil.example"):
        probes.append(Probe(INJECTION, f"language switch to {next_url!r}", "operator",
                            post_form("/language/", {"language": "en", "next": next_url}), frozenset({302}),
                            not_redirected_away, stores=True))
    probes += header_probes(target)
    return probes


# CRLF where a name or a subject could end up in a header of a mail we send; mail_header_check()
# then looks for the injected header in every mail that went out.
INJECTED = "injected-{0}@evil.invalid"


def crlf(tag: str) -> str:
    return f"Anna\r\nBcc: {INJECTED.format(tag)}\r\nX-Injected: {tag}"


def header_probes(target: Target) -> list[Probe]:
    number = target.own.number
    form = {"name": "Anna", "email": "anna@example.com", "text": "The lid is cracked.", "consent": "on"}
    subject = "=?utf-8?q?Cracked=0D=0ABcc=3A_" + INJECTED.format("subject").replace("@", "=40") + "?="
    sender = "=?utf-8?q?Anna=0D=0ABcc=3A_" + INJECTED.format("from").replace("@", "=40") + "?="
    mail = (f"From: {sender} <anna.probe@example.com>\r\nTo: complaints@example.com\r\nSubject: {subject}\r\n"
            f"Message-ID: <header-probe-{secrets.token_hex(4)}@example.com>\r\n\r\nThe lid is cracked.\r\n").encode()
    return [
        Probe(INJECTION, f"web form {name} with CRLF", "", post_form("/complain/", {**form, name: crlf(name)}),
              frozenset({400}))
        for name in ("name", "organisation", "order_reference", "email", "phone")
    ] + [
        Probe(INJECTION, "API customer name and organisation with CRLF", "api:operator",
              post_json("/api/v1/complaints/", {"channel": "email", "text": "The lid is cracked.", "customer": {
                  "name": crlf("api-name"), "organisation": crlf("api-organisation"), "email": "anna@example.com"}}),
              frozenset({201, 400}), stores=True),
        Probe(INJECTION, "message to the customer with CRLF", "operator",
              post_form(f"/complaints/{number}/message/", {"customer-text": crlf("message")}),
              frozenset({302, 400}), stores=True),
        Probe(INJECTION, "e-mail whose subject and sender name carry CRLF", "",
              mailgate_request(mail), frozenset({200}), stores=True),
    ]


def mail_header_check(messages: Iterable[bytes]) -> str:
    """No mail that went out carries a header a probe injected."""
    for message in messages:
        head = re.split(rb"\r?\n\r?\n", message, maxsplit=1)[0]
        if re.search(rb"evil\.invalid|^X-Injected", head, re.IGNORECASE | re.MULTILINE):
            return f"an outgoing mail carries an injected header: {head[:500]!r}"
    return ""


# ---------------------------------------------------------------- family 3: malformed input

MALFORMED = "malformed"


def mailgate_request(raw: bytes) -> Request:
    return Request("POST", "/intake/mailgate/", raw, "message/rfc822",
                   ((SIGNATURE_HEADER, signature(raw, settings.AMENDS_MAILGATE_SECRET)),))


def mail(head: str, body: bytes | str = "The kettle lid is cracked.", *, message_id: bool = True) -> bytes:
    """An e-mail: `head` is the header lines (CRLF-separated), a Message-ID of its own is added."""
    own = f"Message-ID: <probe-{secrets.token_hex(6)}@example.com>\r\n" if message_id else ""
    return (head + "\r\n" + own + "\r\n").encode("utf-8", "surrogateescape") + (
        body if isinstance(body, bytes) else body.encode())


FROM = "From: Anna <anna.mail@example.com>\r\nTo: complaints@example.com\r\nSubject: Cracked lid"


def multipart_mail(parts: str, boundary: str = "b1", extra: str = "") -> bytes:
    return mail(f"{FROM}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"{boundary}\"{extra}",
                parts)


def attached(filename_header: str, content: bytes = b"%PDF-1.4 probe", ctype: str = "application/pdf") -> bytes:
    return multipart_mail(
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the photo.\r\n"
        f"--b1\r\nContent-Type: {ctype}\r\nContent-Disposition: attachment; {filename_header}\r\n"
        f"Content-Transfer-Encoding: base64\r\n\r\n{base64.b64encode(content).decode()}\r\n--b1--\r\n")


def malformed_mails() -> dict[str, bytes]:
    nested = "".join(f"--n{i}\r\nContent-Type: multipart/mixed; boundary=\"n{i + 1}\"\r\n\r\n" for i in range(300))
    return {
        "no headers at all": b"The kettle lid is cracked.\r\n",
        "headers and no body": mail(FROM, ""),
        "no From": mail("To: complaints@example.com\r\nSubject: Cracked lid"),
        "a From that is no address": mail("From: <<<@@@>>>\r\nSubject: Cracked lid"),
        "no Message-ID": mail(FROM, message_id=False),
        "only whitespace": b" \r\n\t\r\n",
        "multipart without a boundary": mail(f"{FROM}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed",
                                             "--x\r\n"),
        "a boundary never closed": multipart_mail("--b1\r\nContent-Type: text/plain\r\n\r\nCracked lid"),
        "parts nested 300 deep": multipart_mail(nested, "n0"),
        "an unknown charset": mail(f"{FROM}\r\nContent-Type: text/plain; charset=x-unknown-42", b"Crack\xe9d"),
        "bytes the charset does not have": mail(f"{FROM}\r\nContent-Type: text/plain; charset=utf-8",
                                                b"\xff\xfe\xfd lid"),
        "UTF-7": mail(f"{FROM}\r\nContent-Type: text/plain; charset=utf-7", b"+BB8EQAQ4BDIENQRC- lid"),
        "broken base64": mail(f"{FROM}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64", b"!!!@@@***"),
        "broken quoted-printable": mail(
            f"{FROM}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable", b"=ZZ=\r\n=4"),
        "a broken encoded-word subject": mail("From: anna@example.com\r\nSubject: =?utf-8?B?####?= =?x?q?=ZZ?="),
        "a header line of 100,000 characters": mail(f"{FROM}\r\nX-Long: {'a' * 100_000}"),
        "a NUL in a header": mail(f"{FROM}\r\nX-Nul: a\x00b"),
        "a NUL in the Message-ID": mail(f"{FROM}\r\nMessage-ID: <a\x00b@example.com>", message_id=False),
        "a NUL in the subject and the sender's name": mail("From: An\x00na <anna@example.com>\r\nSubject: Cra\x00cked"),
        "an encoded NUL in the subject": mail("From: anna@example.com\r\nSubject: =?utf-8?q?Cra=00cked?="),
        "raw UTF-8 in the headers": mail("From: Анна <anna@example.com>\r\nSubject: Треснула крышка"),
        "raw Latin-1 in the headers": b"From: Ren\xe9e <renee@example.com>\r\nSubject: Cass\xe9\r\n\r\nbody",
        "a date of the year 9999": mail(f"{FROM}\r\nDate: Fri, 31 Dec 9999 23:59:59 +0000"),
        "a date that is no date": mail(f"{FROM}\r\nDate: yesterday-ish"),
        "an HTML body only, with scripts": mail(f"{FROM}\r\nContent-Type: text/html",
                                                "<script>alert(1)</script><p onclick=x()>Cracked lid</p>"),
        "an attachment named ../../etc/passwd.pdf": attached('filename="../../etc/passwd.pdf"'),
        "an attachment name with CRLF (RFC 2231)": attached("filename*=utf-8''a%0D%0AX-Injected%3A%20x.pdf"),
        "an attachment name of 1,000 characters": attached(f'filename="{"a" * 1000}.pdf"'),
        "a zero-byte attachment": attached('filename="empty.pdf"', b""),
        "an .exe attachment": attached('filename="setup.exe"', b"MZ\x90\x00"),
        "an attachment whose type lies": attached('filename="photo.jpg"', b"<script>alert(1)</script>", "image/jpeg"),
        "a broken message/rfc822 part": multipart_mail(
            "--b1\r\nContent-Type: message/rfc822\r\n\r\nFrom\r\n--b1--\r\n"),
        "a part with a broken Content-Type": multipart_mail(
            "--b1\r\nContent-Type: ;;;===\r\n\r\nCracked\r\n--b1--\r\n"),
    }


def mailgate_check(answer: Answer) -> str:
    """The relay's line names a kept message; once the worker has taken it, it is finished, and one
    quarantined says why."""
    found = re.search(rb"inbound message #(\d+)", answer.body)
    if answer.status != 200 or not found:
        return "" if answer.status != 200 else f"no message kept: {answer.body[:200]!r}"
    message = InboundMessage.objects.get(pk=int(found.group(1)))
    if message.status == InboundStatus.QUEUED:  # the relay answers once the bytes are stored
        inbound_process_queued()
        message.refresh_from_db()
    if message.status not in (InboundStatus.REGISTERED, InboundStatus.THREADED, InboundStatus.IGNORED,
                              InboundStatus.QUARANTINED):
        return f"message #{message.pk} left {message.status}"
    if message.status == InboundStatus.QUARANTINED and not message.reason.strip():
        return f"message #{message.pk} quarantined without a reason"
    return ""


def parser_probe(name: str, raw: bytes) -> str:
    """The parser gives a complaint, or refuses with its own reason; nothing else escapes it."""
    try:
        parse_email(raw)
    except (Ignored, ValueError) as error:
        return "" if str(error).strip() else f"{name}: refused without a reason"
    except Exception as error:  # noqa: BLE001 - what the probe is looking for
        return f"{name}: the parser raised {type(error).__name__}: {error}"
    return ""


def attachment_path_check(answer: Answer) -> str:
    """A file name with directories is kept under the media folder, by its last part only."""
    media = Path(settings.MEDIA_ROOT).resolve()
    for attachment in Attachment.objects.order_by("-pk")[:5]:
        if "/" in attachment.original_name or "\\" in attachment.original_name:
            return f"an attachment keeps the directories of its name: {attachment.original_name!r}"
        if not Path(attachment.file.path).resolve().is_relative_to(media):
            return f"an attachment was written outside the media folder: {attachment.file.path}"
    return ""


def download_check(answer: Answer) -> str:
    disposition = answer.headers.get("content-disposition", "")
    if not disposition.startswith("attachment"):
        return f"a customer's file is served inline: {disposition!r}"
    if answer.headers.get("x-content-type-options") != "nosniff":
        return "a customer's file is served without X-Content-Type-Options: nosniff"
    return ""


def malformed_probes(target: Target, *, reduced: bool = False) -> list[Probe]:
    own = target.own.number
    api = "/api/v1/complaints/"
    valid = {"channel": "email", "text": "The kettle lid is cracked.", "customer": {"name": "Anna"}}
    bodies: dict[str, bytes] = {
        "truncated JSON": b'{"channel": "email", "text": ',
        "empty body": b"",
        "null": b"null", "a list": b"[]", "a string": b'"complaint"', "a number": b"42",
        "NaN": b'{"channel": "email", "text": NaN}',
        "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
        "objects nested 65 deep": b'{"a":' * 65 + b"1" + b"}" * 65,
        "invalid UTF-8": b'{"channel": "email", "text": "\xff\xfe cracked", "customer": {"name": "Anna"}}',
        "a lone surrogate": b'{"channel": "email", "text": "\\ud800 cracked", "customer": {"name": "A\\udfff"}}',
        "a NUL in the text": b'{"channel": "email", "text": "a\\u0000b", "customer": {"name": "Anna"}}',
        "1e999 as an ID": b'{"channel": "email", "text": "x", "customer": {"name": "A"}, "product": 1e999}',
    }
    wrong = {
        "channel 5": {"channel": 5}, "text 42": {"text": 42}, "text as a list": {"text": ["a"]},
        "customer as a string": {"customer": "Anna"}, "customer as a list": {"customer": []},
        "customer without anything": {"customer": {}}, "importance urgent": {"importance": "urgent"},
        "product \"1\"": {"product": "1"}, "product 1.5": {"product": 1.5}, "product -1": {"product": -1},
        "product 2**63": {"product": 2**63}, "product 2**31": {"product": 2**31}, "category true": {"category": True},
        "received_at 30 February": {"received_at": "2026-02-30T10:00:00Z"},
        "received_at year 0": {"received_at": "0000-01-01T00:00:00Z"},
        "received_at year 9999": {"received_at": "9999-12-31T23:59:59Z"},
        "received_at -1": {"received_at": "-1"}, "received_at 1e20": {"received_at": 1e20},
        "received_at month 13": {"received_at": "2026-13-01"}, "received_at yesterday": {"received_at": "yesterday"},
        "received_at empty": {"received_at": ""},
        "text of 20,001 characters": {"text": "x" * 20_001},
        "name of 301 characters": {"customer": {"name": "x" * 301}},
        "order_reference of 101 characters": {"order_reference": "x" * 101},
        "external_id of 201 characters": {"external_id": "x" * 201},
        "an invalid e-mail": {"customer": {"name": "A", "email": "not@an@address"}},
    }
    probes = [Probe(MALFORMED, f"API registration: {name}", "api:operator", post_json(api, body), SAFE_REFUSAL)
              for name, body in bodies.items()]
    probes += [Probe(MALFORMED, f"API registration: {name}", "api:operator", post_json(api, {**valid, **change}),
                     frozenset({400})) for name, change in wrong.items()]
    probes += [
        Probe(MALFORMED, f"API registration as {ctype}", "api:operator",
              post_json(api, json.dumps(valid).encode(), content_type=ctype), frozenset({415}))
        for ctype in ("text/plain", "application/xml", "application/x-www-form-urlencoded", MULTIPART_CONTENT,
                      "application/octet-stream")
    ] + [
        Probe(MALFORMED, "API registration of 6 MB", "api:operator",
              post_json(api, {**valid, "text": "x" * 6_000_000}), frozenset({413})),
        Probe(MALFORMED, "API registration: JSON in UTF-16", "api:operator",
              post_json(api, json.dumps(valid).encode("utf-16"), content_type="application/json; charset=utf-16"),
              frozenset({201, 400}), stores=True),
        Probe(MALFORMED, "Idempotency-Key of 256 characters", "api:operator",
              post_json(api, valid, headers=[("Idempotency-Key", "k" * 256)]), frozenset({400})),
        Probe(MALFORMED, "Idempotency-Key with a NUL", "api:operator",
              post_json(api, valid, headers=[("Idempotency-Key", "a\x00b")]), frozenset({201, 400}), stores=True),
        Probe(MALFORMED, "Idempotency-Key of spaces", "api:operator",
              post_json(api, valid, headers=[("Idempotency-Key", "   ")]), frozenset({400})),
    ]
    # A card's endpoints: steps, notes, measures, files with what they cannot take, and cards not the caller's.
    steps = {
        "no such step": {"transition": "explode"}, "responsible 2**64": {"transition": "assign", "responsible": 2**64},
        "responsible -1": {"transition": "assign", "responsible": -1},
        "responsible \"1\"": {"transition": "assign", "responsible": "1"},
        "version 0": {"transition": "investigate", "version": 0},
        "version 2**63": {"transition": "investigate", "version": 2**63},
        "satisfaction 11": {"transition": "close", "satisfaction": 11},
        "satisfaction -2**40": {"transition": "close", "satisfaction": -(2**40)},
        "comment of 20,001 characters": {"transition": "withdraw", "comment": "x" * 20_001},
        "comment as an object": {"transition": "withdraw", "comment": {"a": 1}},
    }
    probes += [Probe(MALFORMED, f"API step: {name}", "api:qms", post_json(f"{api}{own}/transitions/", body),
                     frozenset({400})) for name, body in steps.items()]
    notes = {"empty": {"text": ""}, "of 20,001 characters": {"text": "x" * 20_001}, "a number": {"text": 5},
             "with a NUL": {"text": "a\x00b"}, "missing": {}}
    probes += [Probe(MALFORMED, f"API note {name}", "api:operator", post_json(f"{api}{own}/notes/", body),
                     frozenset({400})) for name, body in notes.items()]
    measure = {"description": "Replace the lid", "executor": target.users["executor"].pk, "due_date": "2026-03-10"}
    for name, change in {"due 30 February": {"due_date": "2026-02-30"}, "due year 99999": {"due_date": "99999-01-01"},
                         "executor 2**40": {"executor": 2**40}, "executor \"1\"": {"executor": "1"},
                         "no description": {"description": ""}}.items():
        probes.append(Probe(MALFORMED, f"API measure: {name}", "api:qms", post_json(f"{api}{own}/measures/",
                                                                                     {**measure, **change}),
                            frozenset({400})))
    upload = f"{api}{own}/attachments/"
    probes += [
        Probe(MALFORMED, "API attachment of zero bytes", "api:operator",
              post_form(upload, {}, {"file": ("e.pdf", b"")}), frozenset({400})),
        Probe(MALFORMED, "API attachment setup.exe", "api:operator",
              post_form(upload, {}, {"file": ("setup.exe", b"MZ")}), frozenset({400})),
        Probe(MALFORMED, "API attachment without an extension", "api:operator",
              post_form(upload, {}, {"file": ("README", b"x")}), frozenset({400})),
        Probe(MALFORMED, "API attachment without a file", "api:operator", post_form(upload, {"x": "1"}, {}),
              frozenset({400})),
        Probe(MALFORMED, "API attachment, multipart cut short", "api:operator",
              raw_multipart(upload, file_part("file", "a.pdf", b"%PDF")[:-12]),
              frozenset({400})),
        Probe(MALFORMED, "API attachment, multipart without a boundary", "api:operator",
              Request("POST", upload, b"--x\r\n\r\n", "multipart/form-data"), frozenset({400})),
        Probe(MALFORMED, "API attachment as JSON", "api:operator", post_json(upload, {"file": "a.pdf"}),
              frozenset({415})),
        Probe(MALFORMED, "API attachment named ../../../etc/passwd.pdf", "api:operator",
              raw_multipart(upload, file_part("file", "../../../etc/passwd.pdf", b"%PDF-1.4")),
              frozenset({201, 400}), attachment_path_check, stores=True),
        Probe(MALFORMED, "API attachment of 21 MB", "api:operator",
              post_form(upload, {}, {"file": ("big.pdf", b"0" * (21 * 1024 * 1024))}), frozenset({413}), heavy=True),
    ]
    probes += not_the_callers(target)
    probes += [Probe(MALFORMED, f"API list page={page!r}", "api:operator", get(api, {"page": page}), frozenset({404}))
               for page in ("0", "-1", "10" * 15, "abc", "1.5", "")]
    probes += [
        Probe(MALFORMED, f"API token: {name}", "", post_json("/api/v1/auth/token/", body, content_type=ctype), expect)
        for name, body, ctype, expect in (
            ("truncated JSON", b'{"username": ', "application/json", frozenset({400})),
            ("username as a list", {"username": ["operator"], "password": "x"}, "application/json", frozenset({400})),
            ("password of 5,000 characters", {"username": "x", "password": "p" * 5000}, "application/json",
             frozenset({400})),
            ("invalid UTF-8 in a form", b"username=%FF%FE&password=%C0", "application/x-www-form-urlencoded",
             frozenset({400})),
            ("XML", b"<username/>", "application/xml", frozenset({415})),
        )
    ]
    probes += ui_malformed_probes(target)
    probes += public_malformed_probes(target)
    mails = malformed_mails()
    for name, raw in (list(mails.items())[::3] if reduced else mails.items()):
        probes.append(Probe(MALFORMED, f"mailgate: {name}", "", mailgate_request(raw), frozenset({200, 400}),
                            mailgate_check, stores=True))
    body = b"From: a@example.com\r\n\r\nx"
    probes += [
        Probe(MALFORMED, "mailgate without a signature", "",
              Request("POST", "/intake/mailgate/", body, "message/rfc822"), frozenset({403})),
        Probe(MALFORMED, "mailgate with a wrong signature", "",
              Request("POST", "/intake/mailgate/", body, "message/rfc822", ((SIGNATURE_HEADER, "sha256=" + "0" * 64),)),
              frozenset({403})),
        Probe(MALFORMED, "mailgate with a signature of another body", "",
              Request("POST", "/intake/mailgate/", body + b"!", "message/rfc822",
                      ((SIGNATURE_HEADER, signature(body, settings.AMENDS_MAILGATE_SECRET)),)), frozenset({403})),
        Probe(MALFORMED, "mailgate, signed and empty", "", mailgate_request(b"\r\n \r\n"), frozenset({400})),
        Probe(MALFORMED, "mailgate by GET", "", get("/intake/mailgate/"), frozenset({405})),
    ]
    probes += webhook_probes(target)
    return [p for p in probes if not (reduced and p.heavy)]


def ui_malformed_probes(target: Target) -> list[Probe]:
    own = target.own.number
    card = f"/complaints/{own}"
    register = {"channel": "phone", "received_at": "2026-03-02T10:00", "full_name": "Anna", "phone": "+7 912 000-11-22",
                "wording": "The lid is cracked.", "importance": "medium"}
    probes = [
        Probe(MALFORMED, f"registration with {name}", "operator", post_form("/complaints/new/", {**register, **change}),
              frozenset({400}))
        for name, change in {
            "received_at 30 February": {"received_at": "2026-02-30T10:00"},
            "received_at year 99999": {"received_at": "99999-01-01T00:00"},
            "contact 2**70": {"contact": str(2**70)}, "product -1": {"product": "-1"},
            "importance urgent": {"importance": "urgent"}, "no wording": {"wording": ""},
            "a wording of 20,001 characters": {"wording": "x" * 20_001}, "a NUL in the name": {"full_name": "a\x00b"},
        }.items()
    ]
    probes.append(Probe(MALFORMED, "registration in invalid UTF-8, without wording", "operator",
                        Request("POST", "/complaints/new/", b"channel=phone&full_name=%FF%FE&wording=",
                                "application/x-www-form-urlencoded"), frozenset({400})))
    version = str(target.own.version)
    edit = {"version": version, "received_at": "2026-03-02T10:00", "channel": "phone", "origin": "external",
            "wording": "The lid is cracked.", "importance": "medium"}
    probes += [
        Probe(MALFORMED, f"card edit with {name}", "operator", post_form(f"{card}/edit/", {**edit, **change}),
              frozenset({400, 409}))
        for name, change in {
            "version abc": {"version": "abc"}, "version 2**70": {"version": str(2**70)},
            "time spent -1": {"time_spent_minutes": "-1"}, "time spent 2**40": {"time_spent_minutes": str(2**40)},
            "received_at 30 February": {"received_at": "2026-02-30T10:00"},
            "channel carrier pigeon": {"channel": "pigeon"},
        }.items()
    ]
    files = {"empty": ("e.pdf", b""), "setup.exe": ("setup.exe", b"MZ"), "without an extension": ("README", b"x")}
    probes += [Probe(MALFORMED, f"card attachment {name}", "operator",
                     post_form(f"{card}/attach/", {}, {"file": upload}), frozenset({400}))
               for name, upload in files.items()]
    probes += [
        Probe(MALFORMED, "card attachment, multipart cut short", "operator",
              raw_multipart(f"{card}/attach/", b'--probe\r\nContent-Disposition: form-data; name="file"'),
              frozenset({400})),
        Probe(MALFORMED, "card attachment without a file", "operator", post_form(f"{card}/attach/", {"x": "1"}, {}),
              frozenset({400})),
        Probe(MALFORMED, "a file that is a script named .jpg, downloaded", "operator",
              get(f"{card}/attachments/{target.own_attachment}/"), frozenset({200}), download_check),
        Probe(MALFORMED, "note empty", "operator", post_form(f"{card}/note/", {"text": " "}), frozenset({400})),
        Probe(MALFORMED, "note of 20,001 characters", "operator", post_form(f"{card}/note/", {"text": "x" * 20_001}),
              frozenset({400})),
        Probe(MALFORMED, "note with a NUL", "operator", post_form(f"{card}/note/", {"text": "a\x00b"}),
              frozenset({400})),
        Probe(MALFORMED, "call empty", "operator", post_form(f"{card}/call/", {"call-text": ""}), frozenset({400})),
        Probe(MALFORMED, "no such step", "qms", post_form(f"{card}/transition/explode/", {}), frozenset({404})),
        Probe(MALFORMED, "step with version abc", "qms",
              post_form(f"{card}/transition/assign/", {"assign-version": "abc"}), frozenset({400})),
        Probe(MALFORMED, "step with responsible 2**70", "qms", post_form(
            f"{card}/transition/assign/", {"assign-version": version, "assign-responsible": str(2**70)}),
              frozenset({400})),
        Probe(MALFORMED, "measure due 30 February", "qms", post_form(f"{card}/measures/", {
            "description": "x", "executor": str(target.users["executor"].pk), "due_date": "2026-02-30"}),
              frozenset({400})),
        Probe(MALFORMED, "waiting without a reason", "qms",
              post_form(f"/deadlines/{own}/waiting/", {"waiting-reason": ""}), frozenset({400})),
        Probe(MALFORMED, "preset that does not exist", "qms",
              post_form(f"/deadlines/{own}/preset/", {"preset-preset": "forever"}), frozenset({400})),
        Probe(MALFORMED, "notification settings with a mode that does not exist", "operator",
              post_form("/notifications/settings/", {"email": "sometimes"}), frozenset({400})),
        Probe(MALFORMED, "language that does not exist", "operator", post_form("/language/", {"language": "xx"}),
              frozenset({400})),
    ]
    return probes


def not_the_callers(target: Target) -> list[Probe]:
    """Cards, measures, files, clocks and notifications the caller may not see, and ones that do not
    exist: both are 404, whatever the body."""
    own, foreign, api = target.own.number, target.foreign.number, "/api/v1/complaints/"
    card = f"/complaints/{own}"
    requests = [
        ("api:operator", "GET", f"{api}{foreign}/"), ("api:operator", "GET", f"{api}{foreign}/timeline/"),
        ("api:operator", "POST", f"{api}{foreign}/notes/"),
        ("api:operator", "POST", f"{api}{foreign}/transitions/"),
        ("api:executor", "POST", f"{api}{foreign}/measures/{target.foreign_measure}/report/"),
        ("api:operator", "DELETE", f"{api}{foreign}/measures/{target.foreign_measure}/"),
        ("api:qms", "POST", f"{api}{own}/measures/{target.foreign_measure}/report/"),
        ("api:qms", "DELETE", f"{api}{own}/measures/99999999999999999999/"),
        ("api:qms", "GET", f"{api}2026-999999/"), ("api:qms", "GET", f"{api}abc/timeline/"),
        ("operator", "GET", f"/complaints/{foreign}/"), ("operator", "GET", f"/complaints/{foreign}/print/"),
        ("operator", "POST", f"/complaints/{foreign}/note/"), ("operator", "POST", f"/complaints/{foreign}/attach/"),
        ("executor", "POST", f"/complaints/{foreign}/measures/{target.foreign_measure}/report/"),
        ("operator", "POST", f"{card}/measures/{target.foreign_measure}/report/"),
        ("operator", "POST", f"{card}/measures/{target.foreign_measure}/remove/"),
        ("operator", "GET", f"{card}/attachments/{target.foreign_attachment}/"),
        ("operator", "GET", f"{card}/attachments/99999999999999999999/"),
        ("qms", "POST", f"/deadlines/{own}/clocks/{target.foreign_clock}/extend/"),
        ("qms", "POST", f"/deadlines/{own}/clocks/99999999999/extend/"),
        ("operator", "POST", f"/deadlines/{foreign}/waiting/"),
        ("operator", "GET", f"/notifications/{target.foreign_notification}/"),
        ("operator", "POST", "/duplicates/candidates/99999999/dismiss/"),
        ("operator", "POST", f"/complaints/{foreign}/message/"),
        ("operator", "GET", "/complaints/2026-999999/"),
    ]
    bodies = {True: (b'{"text": "x", "transition": "withdraw", "report": "x"}', "application/json"),
              False: (b"text=x", "application/x-www-form-urlencoded")}
    return [Probe(MALFORMED, f"{method} {path} (not the caller's)", who,
                  Request(method, path, *bodies[path.startswith(api)]), frozenset({404}))
            for who, method, path in requests]


def public_malformed_probes(target: Target) -> list[Probe]:
    track = f"/track/{target.own.number}/?code={target.own.tracking_code}"
    form = {"name": "Anna", "email": "anna@example.com", "text": "The lid is cracked.", "consent": "on"}
    probes = [
        Probe(MALFORMED, f"web form with {name}", "", post_form("/complain/", {**form, **change}), frozenset({400}))
        for name, change in {
            "no consent": {"consent": ""}, "no text": {"text": ""},
            "a text of 20,001 characters": {"text": "x" * 20_001},
            "a NUL in the text": {"text": "a\x00b"}, "an invalid e-mail": {"email": "a@b@c"},
            "letters for a phone": {"email": "", "phone": "call me maybe"}, "no e-mail nor phone": {"email": ""},
            "a name of 201 characters": {"name": "x" * 201},
        }.items()
    ]
    probes += [
        Probe(MALFORMED, "web form in invalid UTF-8, no consent", "",
              Request("POST", "/complain/", b"name=%FF%FE&email=a%40example.com&text=%C0%AF",
                      "application/x-www-form-urlencoded"), frozenset({400})),
        Probe(MALFORMED, "web form, multipart cut short", "", raw_multipart("/complain/", b"--probe\r\nContent-Dispo"),
              frozenset({400})),
        Probe(MALFORMED, "web form with 11 files", "", Request("POST", "/complain/", encode_multipart(BOUNDARY, {
            **form, "attachments": [SimpleUploadedFile(f"p{i}.pdf", b"%PDF") for i in range(11)]}), MULTIPART_CONTENT),
              frozenset({400})),
        Probe(MALFORMED, "web form with setup.exe", "",
              post_form("/complain/", form, {"attachments": ("setup.exe", b"MZ")}), frozenset({400})),
        Probe(MALFORMED, "web form with a zero-byte file", "",
              post_form("/complain/", form, {"attachments": ("e.pdf", b"")}), frozenset({400})),
        Probe(MALFORMED, "tracking message empty", "", post_form(track, {"text": "  "}), frozenset({400})),
        Probe(MALFORMED, "tracking message with a NUL", "", post_form(track, {"text": "a\x00b"}), frozenset({400})),
        Probe(MALFORMED, "tracking message with setup.exe", "",
              post_form(track, {"text": "x"}, {"attachments": ("setup.exe", b"MZ")}), frozenset({400})),
        Probe(MALFORMED, "tracking message, multipart cut short", "", raw_multipart(track, b"--probe\r\n"),
              frozenset({400})),
        Probe(MALFORMED, "tracking message with the wrong code", "",
              post_form(f"/track/{target.own.number}/?code=wrong", {"text": "x"}), frozenset({404})),
        Probe(MALFORMED, "tracking message from a signed-in employee", "operator", post_form(track, {"text": "x"}),
              frozenset({403})),
        Probe(MALFORMED, "customer lookup of 10,000 characters", "operator",
              get("/customers/lookup/", {"q": "x" * 10_000}), frozenset({200}), lookup_check),
    ]
    return probes


def webhook_probes(target: Target) -> list[Probe]:
    path = f"/intake/webhook/{target.webhook}/"

    def signed(body: bytes) -> Request:
        return Request("POST", path, body, "application/json",
                       ((SIGNATURE_HEADER, signature(body, target.webhook_secret)),))

    bodies = {
        "not JSON": b"<xml/>", "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000, "a list": b"[1, 2]",
        "text as a number": b'{"id": "w1", "chat_id": "c1", "text": 5}', "no id": b'{"chat_id": "c1", "text": "x"}',
        "sender as a string": b'{"id": "w2", "chat_id": "c2", "text": "Cracked", "sender": "Anna"}',
        "a chat ID with a colon": b'{"id": "w3", "chat_id": "a:b", "text": "x"}',
        "a NUL and a lone surrogate": b'{"id": "w4", "chat_id": "c4", "text": "a\\u0000\\ud800b"}',
        "sent_at in the year 99999": b'{"id": "w5", "chat_id": "c5", "text": "x", "sent_at": "99999-01-01T00:00"}',
        "invalid UTF-8": b'{"id": "w6", "chat_id": "c6", "text": "\xff\xfe"}',
    }
    probes = [Probe(MALFORMED, f"webhook: {name}", "", signed(body), frozenset({200, 400}), stores=True)
              for name, body in bodies.items()]
    return probes + [
        Probe(MALFORMED, "webhook without a signature", "", Request("POST", path, b"{}", "application/json"),
              frozenset({403})),
        Probe(MALFORMED, "webhook of an unknown source", "",
              Request("POST", "/intake/webhook/nope/", b"{}", "application/json"), frozenset({404})),
        Probe(MALFORMED, "webhook with a source name of dots", "",
              Request("POST", "/intake/webhook/..%2F../", b"{}", "application/json"), frozenset({404})),
    ]


# ---------------------------------------------------------------- family 1: stored XSS, seen in a browser

XSS, CSP = "xss", "xss under the CSP"
VECTORS = {
    "script": "<script>__pwned('{id}')</script>",
    "img onerror": "<img src=x onerror=__pwned('{id}')>",
    "svg onload": "\"><svg onload=__pwned('{id}')>",
    "javascript: link": "javascript:__pwned('{id}')",
    "template": "{id}|{{{{7|add:7}}}}|{{{{7*7}}}}|${{7*7}}|{{% now 'Y' %}}|",
}
MARKER = re.compile(r"zq\d{4,}")
# What a template engine (Django's, Jinja's, a JavaScript template literal) would have made of the
# template vector: its marker followed by a computed number or the year.
EVALUATED = r"\|(14|49|(19|20)\d\d)\|"
# Reference data the admin keeps and the cards show, filled through the admin's own add forms.
REFERENCE_MODELS = ["accounts.Department", "customers.Product", "customers.Supplier", "customers.Component",
                    "complaints.Category", "complaints.Cause", "customers.Organisation", "customers.Contact"]
HONEYPOT_FIELDS = {"website", "form_token"}  # filled, the web form drops the complaint: not a place to plant
# After the page's load, whatever came from a payload: script elements, on… handlers, javascript: links.
DOM_SCAN = """() => {
  const mark = /zq\\d{4,}/, hits = [];
  const URL_ATTRIBUTES = ["href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc"];
  for (const el of document.querySelectorAll("*")) {
    const tag = el.tagName.toLowerCase();
    if (tag === "script" && mark.test(el.textContent)) hits.push([el.textContent.match(mark)[0], "a <script>"]);
    for (const a of el.attributes) {
      const name = a.name.toLowerCase(), found = a.value.match(mark);
      if (found && name.startsWith("on")) hits.push([found[0], `${name}= on <${tag}>`]);
      if (found && URL_ATTRIBUTES.includes(name) && /^\\s*javascript:/i.test(a.value)) {
        hits.push([found[0], `${name}=javascript: on <${tag}>`]);
      }
    }
  }
  return hits;
}"""


@dataclass
class Payload:
    id: str
    vector: str
    where: str  # the entry point and the field
    refused: str = ""  # why it was not stored, if it was not
    pages: int = 0  # pages that showed its marker
    failures: list[str] = field(default_factory=list)


def plain(value):
    """A form's initial value as a browser would post it."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if timezone.is_aware(value) else \
            value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "on" if value else None
    return value


def required_value(field):
    """Something a required field that is not text takes."""
    if isinstance(field, forms.ModelChoiceField):
        first = field.queryset.first()
        return first.pk if first is not None else None
    if isinstance(field, forms.ChoiceField):
        return next((value for value, _label in field.choices if value), None)
    if isinstance(field, forms.BooleanField):
        return "on"
    if isinstance(field, forms.DateTimeField):
        return timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    if isinstance(field, forms.DateField):
        return timezone.localdate().isoformat()
    if isinstance(field, forms.IntegerField):
        return field.min_value if field.min_value is not None else 1
    return None


def file_name(text: str) -> str:
    """A payload as a file's name, its marker again after it: uploads keep what follows the last "/"."""
    return f"{text}-{MARKER.search(text).group(0)}.pdf"


def is_text(field) -> bool:
    return isinstance(field, forms.CharField) and not field.widget.is_hidden


class Planter:
    """Plants one payload per vector in every text field of every entry point, as the people who use
    them would (the requests go through the views, in this process), and keeps the list of pages
    that show what was planted."""

    def __init__(self, target: Target):
        self.target, self.users = target, target.users
        self.runner = ClientRunner(target.users)
        self.payloads: dict[str, Payload] = {}
        self.cards: list[str] = []
        # The last key of each reference model before the planting: what came after it is the probe's.
        self.first_pk = {label: apps.get_model(label).objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                         for label in REFERENCE_MODELS}

    def plant(self, vector: str, where: str) -> tuple[str, str]:
        pid = f"zq{1000 + len(self.payloads)}"
        self.payloads[pid] = Payload(pid, vector, where)
        return pid, VECTORS[vector].format(id=pid)

    def refuse(self, pids: Iterable[str], why: str) -> None:
        for pid in pids:
            self.payloads[pid].refused = self.payloads[pid].refused or why

    def submit(self, who: str, vector: str, where: str, path: str, form_for, overrides: dict | None = None,
               files: dict[str, str] | None = None) -> Answer:
        """Post a form with a payload in each of its text fields (from the form class, so a new field is
        probed too). Fields the form refuses are left as they were, and their payloads counted refused."""
        overrides = dict(overrides or {})
        form, planted = form_for(None), {}

        def value(name: str, field):
            if name in overrides:
                return overrides[name]
            if is_text(field) and name not in HONEYPOT_FIELDS:
                planted[name], text = self.plant(vector, f"{where} · {name}")
                return text
            initial = form.get_initial_for_field(field, name)
            return initial if initial not in (None, "") or not field.required else required_value(field)

        data = {name: plain(value(name, field)) for name, field in form.fields.items()}
        for _round in range(3):
            bound = form_for({form.add_prefix(k): v for k, v in data.items() if v not in (None, "")})
            wrong = [name for name in bound.errors if name in data and (name in planted or name in overrides)]
            if bound.is_valid() or not wrong:
                break
            for name in wrong:
                if name in planted:
                    self.refuse([planted.pop(name)], f"refused by the form: {bound.errors[name][0]}")
                    required = form.fields[name].required
                    data[name] = "probe@example.com" if "email" in name else "Probe" if required else ""
                else:
                    data[name] = None
        fields = {form.add_prefix(k): v for k, v in data.items() if v not in (None, "")}
        fields |= {k: v for k, v in overrides.items() if k not in form.fields}  # the admin's buttons and inlines
        uploads = {}
        for name, label in (files or {}).items():
            planted[f"{name} (file name)"], text = self.plant(vector, f"{where} · {label}")
            uploads[form.add_prefix(name)] = (file_name(text), b"%PDF-1.4 probe")
        answer = self.runner.send(who, post_form(path, fields, uploads or None))
        if answer.status != 302:  # every form here redirects once it is taken; the admin answers 200 when not
            self.refuse(planted.values(), f"the submission was answered {answer.status}")
        return answer

    def card(self, number: str) -> Complaint:
        return Complaint.objects.get(number=number)

    # -------------------------------------------------- entry points

    def reference_data(self, vector: str) -> dict[str, int]:
        """Departments, products, categories, contacts... added in the admin; their new keys by model."""
        request = RequestFactory().get("/")
        request.user = self.users["admin"]
        created = {}
        for label in REFERENCE_MODELS:
            model = apps.get_model(label)
            model_admin = admin.site._registry[model]
            form_class = model_admin.get_form(request, None, change=False)
            # The inlines' management forms go with the post, with no rows.
            extra = {"_save": "Save"}
            for inline in model_admin.get_inline_instances(request):
                prefix = inline.get_formset(request).get_default_prefix()
                extra |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
            latest = model.objects.order_by("-pk").values_list("pk", flat=True).first()
            path = f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"
            answer = self.submit("admin", vector, f"admin {label}", path, form_class, extra)
            new = model.objects.order_by("-pk").values_list("pk", flat=True).first()
            if answer.status == 302 and new != latest:
                created[label] = new
        return created

    def register(self, vector: str, refs: dict[str, int]) -> str:
        # A year back: among the oldest open cards of the weekly summary.
        overrides = {"channel": "phone", "contact": None,
                     "received_at": plain(timezone.now() - timedelta(days=365)),
                     "product": refs.get("customers.Product"), "category": refs.get("complaints.Category"),
                     "department_concerned": refs.get("accounts.Department")}
        answer = self.submit("operator", vector, "registration screen", "/complaints/new/",
                             card_forms.RegisterForm, overrides, {"attachments": "attachment"})
        return self.created(answer)

    def created(self, answer: Answer) -> str:
        found = re.search(r"/(\d{4}-\d{6,9})/", answer.headers.get("location", ""))
        if found:
            self.cards.append(found.group(1))
        return found.group(1) if found else ""

    def lifecycle(self, vector: str, number: str, refs: dict[str, int]) -> None:
        """Every step with its text inputs and comment, the edit form, notes, calls, messages,
        waiting, an extension and a measure, on the registered card."""
        card = f"/complaints/{number}"

        def step(name: str, **overrides) -> None:
            transition = TRANSITIONS[name]
            self.submit("qms", vector, f"step {name}", f"{card}/transition/{name}/",
                        lambda data: card_forms.TransitionForm(transition, self.card(number), data),
                        {"version": self.card(number).version, **overrides})

        def write(where: str, path: str, form_for, who: str = "qms", **overrides) -> None:
            self.submit(who, vector, where, path, form_for, overrides)

        step("assign", responsible=self.users["responsible"].pk)
        step("investigate")
        write("card edit", f"{card}/edit/",
              lambda data: card_forms.ComplaintEditForm(data, instance=self.card(number)),
              version=self.card(number).version, component=refs.get("customers.Component"),
              supplier=refs.get("customers.Supplier"))
        write("note", f"{card}/note/", card_forms.NoteForm)
        write("logged call", f"{card}/call/", card_forms.CallLogForm)
        write("message to the customer", f"{card}/message/", CustomerMessageForm)
        write("waiting for the customer", f"/deadlines/{number}/waiting/", WaitingForm)
        self.runner.send("qms", post_form(f"/deadlines/{number}/waiting/end/", {}))
        write("preset", f"/deadlines/{number}/preset/", PresetForm, preset="citizens_appeal")
        clock = Clock.objects.filter(complaint__number=number, policy__extension__isnull=False).first()
        if clock is not None:
            write("deadline extension", f"/deadlines/{number}/clocks/{clock.pk}/extend/",
                  lambda data: ExtensionForm(data, clock_id=clock.pk))
        step("decide", justification=Justification.PARTLY, cause=refs.get("complaints.Cause"))
        write("measure", f"{card}/measures/", card_forms.MeasureForm,
              executor=self.users["executor"].pk,
              due_date=(timezone.localdate() + timedelta(days=7)).isoformat())
        step("plan")
        step("return_plan")
        step("plan")
        step("approve")
        for measure in Measure.objects.filter(complaint__number=number):
            write("measure report", f"{card}/measures/{measure.pk}/report/",
                  card_forms.MeasureReportForm,
                  who="executor")
        step("complete")
        step("answer")
        step("close", customer_unreachable="on", satisfaction=None, loyalty=None)
        step("reopen")
        step("mark_duplicate")
        step("withdraw")

    def internal(self, vector: str, refs: dict[str, int]) -> None:
        answer = self.submit("operator", vector, "internal complaint", "/complaints/internal/new/",
                             card_forms.InternalComplaintForm,
                             {"department_concerned": refs.get("accounts.Department")}, {"attachments": "attachment"})
        self.created(answer)

    def public(self, vector: str) -> None:
        answer = self.submit("", vector, "web form", "/complain/", ComplaintForm,
                             {"consent": "on"}, {"attachments": "attachment"})
        location = answer.headers.get("location", "")
        number = self.created(answer)
        code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query).get("code", [""])[0]
        if number and code:
            self.submit("", vector, "tracking page message", f"/track/{number}/?code={code}",
                        TrackingMessageForm, {}, {"attachments": "attachment"})

    def api(self, vector: str) -> None:
        """The API's registration (its serializer's text fields, nested ones too), a note and a file."""

        def fill(serializer, where: str, planted: dict) -> dict:
            data = {}
            for name, item in serializer.fields.items():
                if isinstance(item, serializers.Serializer):
                    data[name] = fill(item, f"{where}.{name}", planted)
                elif isinstance(item, serializers.CharField) and not item.read_only:
                    planted[f"{where}.{name}"], data[name] = self.plant(vector, f"API registration · {where}.{name}")
            return data

        planted: dict[str, str] = {}
        body = {**fill(ComplaintCreateSerializer(), "body", planted), "channel": "email"}
        serializer = ComplaintCreateSerializer(data=body)
        if not serializer.is_valid():
            for name, error in serializer.errors.items():
                inner = error.items() if isinstance(error, dict) else [("", error)]
                for sub, messages in inner:
                    key = f"body.{name}" + (f".{sub}" if sub else "")
                    if key in planted:
                        self.refuse([planted.pop(key)], f"refused by the serializer: {messages[0]}")
                        (body[name] if sub else body).pop(sub or name)
        answer = self.runner.send("api:operator", post_json("/api/v1/complaints/", body))
        if answer.status != 201:
            self.refuse(planted.values(), f"the registration was answered {answer.status}")
            return
        number = json.loads(answer.body)["number"]
        self.cards.append(number)
        self.runner.send("api:operator", get(f"/api/v1/complaints/{number}/"))  # registered now
        note_id, note = self.plant(vector, "API note · text")
        if NoteInputSerializer(data={"text": note}).is_valid():
            self.runner.send("api:operator", post_json(f"/api/v1/complaints/{number}/notes/", {"text": note}))
        file_id, name = self.plant(vector, "API attachment · file name")
        answer = self.runner.send("api:operator", post_form(f"/api/v1/complaints/{number}/attachments/", {},
                                                            {"file": (file_name(name), b"%PDF-1.4 probe")}))
        if answer.status != 201:
            self.refuse([file_id], f"the upload was answered {answer.status}")

    def mail(self, vector: str) -> None:
        """A mail (sender's name, subject, text, a file's name), one with an HTML body, and a reply."""
        sender = f"mail-{vector.split()[0]}@example.com"

        def send(subject: str, body: str, *, html: bool = False, name: str = "", filename: str = "") -> str:
            message = EmailMessage()
            message["From"] = formataddr((name, sender))
            message["To"], message["Subject"], message["Message-ID"] = "complaints@example.com", subject, make_msgid()
            message.set_content(body, subtype="html" if html else "plain")
            if filename:
                message.add_attachment(b"%PDF-1.4 probe", maintype="application", subtype="pdf", filename=filename)
            answer = self.runner.send("", mailgate_request(message.as_bytes()))
            found = re.search(rb"complaint (\d{4}-\d{6,9})", answer.body)
            return found.group(1).decode() if found else ""

        texts = {part: self.plant(vector, f"e-mail · {part}") for part in ("sender's name", "subject", "text",
                                                                              "attachment's name")}
        number = send(texts["subject"][1], texts["text"][1], name=texts["sender's name"][1],
                      filename=file_name(texts["attachment's name"][1]))
        # The marker once more as text: whether the tags went or were escaped, the card shows it.
        html_id, html = self.plant(vector, "e-mail · HTML body")
        html_number = send("Cracked lid", f"<p>The lid: {html} {html_id}</p>", html=True)
        for card in (number, html_number):
            if card:
                self.cards.append(card)
        if number:
            reply_id, reply = self.plant(vector, "e-mail reply · text")
            send(f"Re: [#{number}] {texts['subject'][1]}", reply)
        else:
            self.refuse([pid for pid, _text in texts.values()], "the mail registered no card")

    def webhook(self, vector: str) -> None:
        """A chat message: its text and its sender's details; the e-mail alone in a second one, since
        a sender's address that is none keeps the whole message in quarantine."""
        for fields in (("text", "sender.name", "sender.organisation", "sender.phone"), ("sender.email",)):
            planted = {name: self.plant(vector, f"webhook · {name}") for name in fields}
            values = {name: text for name, (_pid, text) in planted.items()}
            body = json.dumps({
                "id": secrets.token_hex(6), "chat_id": f"xss-{secrets.token_hex(3)}",
                "text": values.get("text", "The kettle lid is cracked."),
                "sender": {name.split(".")[1]: value for name, value in values.items() if name != "text"},
            }).encode()
            self.runner.send("", Request("POST", f"/intake/webhook/{self.target.webhook}/", body, "application/json",
                                         ((SIGNATURE_HEADER, signature(body, self.target.webhook_secret)),)))
            message = InboundMessage.objects.filter(source=f"webhook:{self.target.webhook}").order_by("-pk").first()
            if message is not None and message.complaint is not None:
                self.cards.append(message.complaint.number)
            else:
                self.refuse([pid for pid, _text in planted.values()],
                            f"quarantined: {message.reason[:120] if message else 'not stored'}")

    def everywhere(self) -> None:
        for vector in VECTORS:
            refs = self.reference_data(vector)
            number = self.register(vector, refs)
            if number:
                self.lifecycle(vector, number, refs)
            self.internal(vector, refs)
            self.public(vector)
            self.api(vector)
            self.mail(vector)
            self.webhook(vector)

    def pages(self) -> list[tuple[str, str]]:
        """(who, path) of every page that shows what was planted."""
        pages = []
        for number in self.cards:
            card = self.card(number)
            code = urllib.parse.quote(card.tracking_code)
            pages += [("qms", f"/complaints/{number}/"), ("qms", f"/complaints/{number}/print/"),
                      ("", f"/track/{number}/?code={code}")]
            if card.channel == Channel.WEB_FORM:
                pages.append(("", f"/complain/thanks/{number}/?code={code}"))
        for who in ("operator", "responsible", "executor", "qms", "manager"):
            pages += [(who, "/complaints/"), (who, "/notifications/")]
        pages += [("qms", "/complaints/?q=zq"), ("responsible", "/deadlines/mine/"), ("executor", "/deadlines/mine/"),
                  ("qms", "/deadlines/mine/"), ("qms", "/reports/weekly/"), ("manager", "/reports/weekly/"),
                  ("operator", "/customers/lookup/?q=zq")]
        for model, model_admin in admin.site._registry.items():
            path = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            pages += [("admin", path), *([("admin", f"{path}?q=zq")] if model_admin.search_fields else [])]
        # The change page of every contact, organisation and reference row the planting made, of every
        # card it made and their stored messages, and of the ten newest mails out and notifications.
        planted = {"complaints.Complaint": Complaint.objects.filter(number__in=self.cards),
                   "intake.InboundMessage": InboundMessage.objects.filter(complaint__number__in=self.cards)}
        for label in [*REFERENCE_MODELS, *planted, "intake.OutboundMessage", "notifications.Notification"]:
            model = apps.get_model(label)
            rows = planted[label] if label in planted else model.objects.order_by("-pk")
            new = rows.filter(pk__gt=self.first_pk[label]) if label in REFERENCE_MODELS else \
                rows if label in planted else rows[:10]
            pages += [("admin", reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk]))
                      for pk in new.values_list("pk", flat=True)]
        return pages


def browse(port: int, planter: Planter, outcome: Outcome) -> None:
    """Every page in Chromium, with the CSP bypassed (does a payload run?) and under it (is anything refused?)."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    base, pages = f"http://127.0.0.1:{port}", planter.pages()
    payloads = planter.payloads
    ran: list[tuple[str, str]] = []  # (page, payload) of each __pwned call; the binding appends
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            for bypass in (True, False):
                contexts = {}
                for who, path in pages:
                    if who not in contexts:
                        context = browser.new_context(base_url=base, locale="en-US", bypass_csp=bypass)
                        context.set_default_timeout(30_000)
                        if who:
                            session = planter.runner.client(who).cookies["sessionid"].value
                            context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
                        context.expose_binding("__pwned", lambda source, pid: ran.append((source["page"].url, pid)))
                        contexts[who] = context
                    ran.clear()
                    refused: list[str] = []
                    page = contexts[who].new_page()
                    page.on("console", lambda message, refused=refused: refused.append(message.text)
                            if "Content Security Policy" in message.text else None)
                    try:
                        page.goto(path, wait_until="load")
                        page.wait_for_timeout(50)  # an <img onerror> fires once its load has failed
                        injected, html = page.evaluate(DOM_SCAN), page.content()
                        text = page.evaluate("() => document.body ? document.body.innerText : ''")
                    except Exception as error:  # noqa: BLE001 - a page that does not load is a failure to report
                        outcome.record(CSP if not bypass else XSS, f"{path} as {who or 'nobody'} did not load: {error}")
                        page.close()
                        continue
                    page.close()
                    where = f"{path} as {who or 'nobody'}"
                    for pid in set(MARKER.findall(html)) & payloads.keys():
                        payloads[pid].pages += 1 if bypass else 0
                        if re.search(re.escape(pid) + EVALUATED, text):
                            payloads[pid].failures.append(f"template expression evaluated on {where}")
                    for _page, pid in ran:
                        if pid in payloads:
                            payloads[pid].failures.append(f"ran on {where}")
                    for pid, what in injected:
                        if pid in payloads and bypass:
                            payloads[pid].failures.append(f"{what} from the payload on {where}")
                    if not bypass:
                        outcome.record(CSP, f"{where}: refused under the CSP: {refused[0]}" if refused else "")
                for context in contexts.values():
                    context.close()
        finally:
            browser.close()
    for payload in payloads.values():
        failure = f"{payload.vector} in {payload.where}: " + "; ".join(payload.failures) if payload.failures else ""
        outcome.record(XSS, failure)


# ---------------------------------------------------------------- the run


def mail_files() -> list[bytes]:
    """The mails the file backend wrote: each file holds one or more, separated by a line of dashes."""
    folder = Path(settings.EMAIL_FILE_PATH)
    messages = []
    for path in sorted(folder.glob("*")) if folder.exists() else []:
        messages += [m.strip() for m in re.split(rb"\n-{79}\n", path.read_bytes()) if m.strip()]
    return messages


def worker_check(runner: HttpRunner, seconds: float = 120) -> str:
    """After everything above, the worker still registers a stored submission by itself."""
    answer = runner.send("api:operator", post_json("/api/v1/complaints/", {
        "channel": "email", "text": "After the probes: the kettle lid is cracked.", "customer": {"name": "Anna"}}))
    if answer.status != 201:
        return f"a complaint after the probes was answered {answer.status}"
    number, deadline = json.loads(answer.body)["number"], time.monotonic() + seconds
    while time.monotonic() < deadline:
        if Complaint.objects.filter(number=number).exists():
            return ""
        time.sleep(1)
    return f"the worker did not register {number} within {seconds:.0f} s"


def report(outcome: Outcome, planter: "Planter | None", seconds: float) -> None:
    if planter is not None:
        payloads = list(planter.payloads.values())
        refused = [p for p in payloads if p.refused]
        unseen = [p for p in payloads if not p.refused and not p.pages]
        print(f"xss: {len(payloads)} payloads ({len(VECTORS)} vectors) in {len(payloads) // len(VECTORS)} fields; "
              f"{len(refused)} refused at input, {len(payloads) - len(refused) - len(unseen)} shown (escaped) on "
              f"at least one page, {len(unseen)} stored but on none of the pages visited")
        for payload in unseen:
            print(f"  not shown: {payload.vector} in {payload.where}")
    print(f"\n{'family':22}{'tried':>8}{'safe':>8}{'failed':>8}")
    for family in (XSS, CSP, INJECTION, MALFORMED):
        if outcome.tried[family]:
            failed = outcome.failed(family)
            print(f"{family:22}{outcome.tried[family]:>8}{outcome.tried[family] - failed:>8}{failed:>8}")
    total = sum(outcome.tried.values())
    print(f"{'all':22}{total:>8}{total - len(outcome.failures):>8}{len(outcome.failures):>8}   ({seconds:.0f} s)")
    for family, what in outcome.failures:
        print(f"FAILED {family}: {what}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", default="xss,injection,malformed",
                        help="which of xss, injection and malformed to run, comma-separated")
    parser.add_argument("--keep", action="store_true", help="keep the instance's folder (printed) afterwards")
    options = parser.parse_args()
    families = set(options.families.split(","))
    started = time.monotonic()
    # The answers tell what happened; this process's own log (the planting's refusals) would only bury the table.
    logging.disable(logging.CRITICAL)
    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    port, var = free_port(), Path(VAR_DIR)
    server_log, worker_log = open(var / "server.log", "wb"), open(var / "worker.log", "wb")  # noqa: SIM115
    server = start_server({**env, "WORKERS": "2"}, port, log=server_log)
    worker = subprocess.Popen([str(BIN / "amends"), "worker"], env=env, cwd=ROOT, stdout=worker_log,
                              stderr=worker_log)
    outcome, planter = Outcome(), None
    try:
        users = {role: User.objects.get(username=role)
                 for role in ("operator", "executor", "responsible", "qms", "manager", "admin")}
        target = target_build(users)
        runner = HttpRunner(users, port)
        print(f"Amends hostile probe on SQLite in {VAR_DIR}, server on port {port}, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f}; instance ready ({time.monotonic() - started:.0f} s)", flush=True)
        if XSS in families:
            from tests.e2e.conftest import CHROMIUM

            if CHROMIUM.exists():
                planter = Planter(target)
                planter.everywhere()
                while owed(env):  # the worker's part: cards of stored submissions, acknowledgements
                    time.sleep(1)
                print(f"xss: {len(planter.payloads)} payloads planted ({time.monotonic() - started:.0f} s)", flush=True)
                browse(port, planter, outcome)
                print(f"xss: pages seen in Chromium ({time.monotonic() - started:.0f} s)", flush=True)
            else:
                print(f"xss: skipped, {CHROMIUM} is not installed")
        if INJECTION in families:
            run_probes(runner, injection_probes(target), outcome)
            print(f"injection: done ({time.monotonic() - started:.0f} s)", flush=True)
        if MALFORMED in families:
            run_probes(runner, malformed_probes(target), outcome)
            outcome.record(MALFORMED, worker_check(runner))
            print(f"malformed: done ({time.monotonic() - started:.0f} s)", flush=True)
        while owed(env):
            time.sleep(1)
        if INJECTION in families:
            outcome.record(INJECTION, mail_header_check(mail_files()))
        errors = (var / "server.log").read_text(errors="replace").count("Internal Server Error")
        alive = worker.poll() is None
        outcome.record(MALFORMED, f"the server logged {errors} internal errors" if errors else "")
        outcome.record(MALFORMED, "" if alive else f"the worker stopped (exit {worker.returncode})")
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=15)
        server_log.close()
        worker_log.close()
        if not options.keep:
            shutil.rmtree(VAR_DIR, ignore_errors=True)
    report(outcome, planter, time.monotonic() - started)
    return 1 if outcome.failures else 0


if __name__ == "__main__":
    sys.exit(main())
