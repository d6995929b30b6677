"""Who reaches the record's pages and forms, every role and tie against capa/access.py, and the
header's link to the register."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from amends.accounts.models import User
from amends.accounts.roles import Role
from amends.capa import access
from amends.capa.actions import action_plan
from amends.capa.choices import NonconformityState
from amends.capa.models import Nonconformity
from amends.capa.nonconformities import nonconformity_open

ROLES = [None, *Role.values]
# What each of the record's own endpoints needs, by capa.access.
PROBES = {
    "record": ("get", lambda user, record: True, {}),
    "appoint": ("post", lambda user, record: access.is_process_owner(user), {}),
    "edit": ("post", access.can_manage, {}),
    "close": ("post", lambda user, record: access.is_process_owner(user), {"step": "close"}),
    "reopen": ("post", access.can_manage, {"step": "reopen"}),
    "link": ("post", access.can_manage, {}),
}


@pytest.fixture
def world(make_user, qms):
    """A user per role, and for each role one record it owns, one it owns an action of, one it has no tie to."""
    users = {role: make_user(f"as_{role or 'nobody'}", *([role] if role else []),
                             is_superuser=role == Role.ADMINISTRATOR) for role in ROLES}
    records = []
    for role, user in users.items():
        for tie in ("owner", "action", "none"):
            record = nonconformity_open(actor=qms, title=f"{role} {tie}", owner=user if tie == "owner" else None)
            if tie == "action":
                action_plan(actor=qms, nonconformity=record, description="x", owner=user,
                            due_date=timezone.localdate() + timedelta(days=3))
            records.append((role, record.pk))
    Nonconformity.objects.update(state=NonconformityState.CLOSED)  # every step of this page may be asked
    return users, records


def expected(user: User, record: Nonconformity, allowed) -> str:
    if not access.can_see_nonconformity(user, record):
        return "404"
    return "ok" if allowed(user, record) else "403"


@pytest.mark.parametrize("name", sorted(PROBES))
def test_each_endpoint_answers_as_capa_access_says(client, world, name):
    method, allowed, kwargs = PROBES[name]
    url_name = "capa:step" if "step" in kwargs else f"capa:{name}"
    users, records = world
    failures = []
    for role, user in users.items():
        client.force_login(user)
        fresh = User.objects.get(pk=user.pk)
        for owner_role, pk in records:
            if owner_role != role and owner_role != Role.OPERATOR:  # its own ties, and others' records
                continue
            with transaction.atomic():
                record = Nonconformity.objects.get(pk=pk)
                response = getattr(client, method)(reverse(url_name, kwargs={"number": record.number, **kwargs}))
                got = str(response.status_code) if response.status_code in (403, 404) else "ok"
                assert response.status_code < 500
                transaction.set_rollback(True)
            want = expected(fresh, record, allowed)
            if got != want:
                failures.append((role, record.title, want, response.status_code))
    assert not failures, failures


def test_no_one_signed_in_is_sent_to_log_in(client, qms):
    record = nonconformity_open(actor=qms, title="Батареи")
    for url in (reverse("capa:list"), reverse("capa:new"), reverse("capa:record", args=[record.number])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


HEADER = engines["django"].from_string("{% load capa_nav %}{% if user|sees_nonconformities %}CAPA{% endif %}")


def header(user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return HEADER.render({"user": user}, request)


def test_the_header_links_overseers_and_owners_to_the_register(client, qms, manager, responsible, executor, operator):
    nonconformity_open(actor=qms, title="Батареи", owner=responsible)
    for user, shown in ((qms, True), (manager, True), (responsible, True), (executor, False), (operator, False)):
        client.force_login(user)
        nav = client.get(reverse("complaints:list")).content.decode()
        assert (f'href="{reverse("capa:list")}"' in nav) is shown, user


def test_the_header_asks_once_per_request_and_overseers_not_at_all(qms, operator, django_assert_num_queries):
    for user in (qms, operator):
        user.roles  # noqa: B018 - the header has read them already for its other links
    with django_assert_num_queries(0):
        assert header(qms) == "CAPA"
    with django_assert_num_queries(1):
        assert header(operator) == ""
    with django_assert_num_queries(0):
        assert header(operator) == ""  # the same request's user: answered already
