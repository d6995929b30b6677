"""Who reaches every page and form of the app, every role and tie against capa/access.py; the
app's tabs and the header's link to the register."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import transaction
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from amends.accounts.models import User
from amends.accounts.roles import Role
from amends.capa import access
from amends.capa import urls as capa_urls
from amends.capa.actions import action_plan
from amends.capa.choices import Category6M, NonconformityState, ProposalKind
from amends.capa.models import FishboneCause, Nonconformity, Proposal
from amends.capa.nonconformities import nonconformity_open

ROLES = [None, *Role.values]


def _action(record: Nonconformity) -> dict:
    return {"pk": record.actions.get().pk}


def _cause(record: Nonconformity) -> dict:
    return {"pk": record.fishbone.get().pk}


def _reports(user: User, record: Nonconformity) -> bool:
    return record.actions.get().owner_id == user.pk or access.can_manage(user, record)


def _sees(user: User, record: Nonconformity) -> bool:
    return True


def _heads(user: User, record: Nonconformity) -> bool:
    return access.is_process_owner(user)


# Every page and form of a record (URL name, method, who may, by capa.access, and its other URL
# arguments); one who may not see the record gets 404.
PROBES = {
    "record": ("record", "get", _sees, None),
    "print": ("print", "get", _sees, None),
    "pdf": ("pdf", "get", _sees, None),
    "appoint": ("appoint", "post", _heads, None),
    "edit": ("edit", "post", access.can_manage, None),
    "close": ("step", "post", _heads, lambda record: {"step": "close"}),
    "reopen": ("step", "post", access.can_manage, lambda record: {"step": "reopen"}),
    "link": ("link", "post", access.can_manage, None),
    "whys": ("whys", "post", access.can_manage, None),
    "fishbone_add": ("fishbone_add", "post", access.can_manage, None),
    "fishbone_remove": ("fishbone_remove", "post", access.can_manage, _cause),
    "fishbone_confirm": ("fishbone_confirm", "post", access.can_manage, _cause),
    "analysis": ("analysis", "post", access.can_manage, None),
    "action_plan": ("action_plan", "post", access.can_manage, None),
    "plan_complete": ("plan_complete", "post", access.can_manage, None),
    "action_report": ("action_report", "post", _reports, _action),
    "action_cancel": ("action_cancel", "post", access.can_manage, _action),
    "action_reschedule": ("action_reschedule", "post", access.can_manage, _action),
    "action_check": ("action_check", "post", access.can_manage, _action),
}
# The app's other pages: who opens them, by capa.access (GET, or POST for a decision).
PAGES = {
    "list": ("get", access.can_see_nonconformities),
    "new": ("get", access.is_process_owner),
    "proposals": ("get", access.can_see_proposals),
    "proposal_accept": ("post", access.is_process_owner),
    "proposal_dismiss": ("post", access.is_process_owner),
    "norms": ("get", access.can_see_scorecards),
    "norm_cards": ("get", access.can_see_scorecards),
    "suppliers": ("get", access.can_see_scorecards),
    "supplier": ("get", access.can_see_scorecards),
    "supplier_xlsx": ("get", access.can_see_scorecards),
    "supplier_pdf": ("get", access.can_see_scorecards),
}
# A card's writes (complaints.access.WRITES[NONCONFORMITY]), walked by tests/test_access_matrix.py.
CARD_WRITES = {"card_link", "card_open", "measure_promote", "from_list", "unlink"}


@pytest.fixture
def world(make_user, qms):
    """A user per role, and for each role one record it owns, one it owns an action of, one it has
    no tie to; each record with one action and one fishbone cause."""
    users = {role: make_user(f"as_{role or 'nobody'}", *([role] if role else []),
                             is_superuser=role == Role.ADMINISTRATOR) for role in ROLES}
    other = make_user("other", Role.RESPONSIBLE)
    records = []
    for role, user in users.items():
        for tie in ("owner", "action", "none"):
            record = nonconformity_open(actor=qms, title=f"{role} {tie}", owner=user if tie == "owner" else None)
            action_plan(actor=qms, nonconformity=record, description="x", owner=user if tie == "action" else other,
                        due_date=timezone.localdate() + timedelta(days=3))
            FishboneCause.objects.create(nonconformity=record, category=Category6M.MATERIAL, text="Cells")
            records.append((role, record.pk))
    Nonconformity.objects.update(state=NonconformityState.CLOSED)  # every step of this page may be asked
    return users, records


def expected(user: User, record: Nonconformity, allowed) -> str:
    if not access.can_see_nonconformity(user, record):
        return "404"
    return "ok" if allowed(user, record) else "403"


def outcome(response) -> str:
    assert response.status_code < 500
    return str(response.status_code) if response.status_code in (403, 404) else "ok"


def test_every_page_of_the_app_has_its_rule_here():
    names = {pattern.name for pattern in capa_urls.urlpatterns}
    probed = {url_name for url_name, *_rest in PROBES.values()}
    assert names == probed | set(PAGES) | CARD_WRITES


@pytest.mark.parametrize("name", sorted(PROBES))
def test_each_endpoint_answers_as_capa_access_says(client, world, name):
    url_name, method, allowed, more = PROBES[name]
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
                kwargs = {"number": record.number, **(more(record) if more else {})}
                got = outcome(getattr(client, method)(reverse(f"capa:{url_name}", kwargs=kwargs)))
                transaction.set_rollback(True)
            want = expected(fresh, record, allowed)
            if got != want:
                failures.append((role, record.title, want, got))
    assert not failures, failures


@pytest.fixture
def page_args(db, supplier):
    proposal = Proposal.objects.create(key="norm:1", kind=ProposalKind.NORM, params={
        "subject": "manufacturer", "count": 5, "norm": 4, "period": "2026",
    })
    return {
        "proposal_accept": [proposal.pk], "proposal_dismiss": [proposal.pk], "supplier": [supplier.pk],
        "supplier_xlsx": [supplier.pk], "supplier_pdf": [supplier.pk],
    }


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_page_opens_as_capa_access_says_and_its_tab_shows_the_same(client, make_user, qms, page_args, name):
    method, allowed = PAGES[name]
    owner, action_owner = make_user("owner", Role.RESPONSIBLE), make_user("action_owner", Role.EXECUTOR)
    record = nonconformity_open(actor=qms, title="Batteries", owner=owner)
    action_plan(actor=qms, nonconformity=record, description="x", owner=action_owner,
                due_date=timezone.localdate() + timedelta(days=3))
    users = [make_user(f"as_{role or 'nobody'}", *([role] if role else []), is_superuser=role == Role.ADMINISTRATOR)
             for role in ROLES] + [owner, action_owner]
    failures = []
    for user in users:
        client.force_login(user)
        url = reverse(f"capa:{name}", args=page_args.get(name, []))
        with transaction.atomic():
            got = outcome(getattr(client, method)(url, {"subject": "manufacturer"} if name == "norm_cards" else {}))
            transaction.set_rollback(True)
        want = "ok" if allowed(User.objects.get(pk=user.pk)) else "403"
        if got != want:
            failures.append((user.username, want, got))
    assert not failures, failures


def test_the_tabs_show_each_page_to_whom_it_opens(client, make_user, qms, manager):
    owner = make_user("owner", Role.RESPONSIBLE)
    nonconformity_open(actor=qms, title="Batteries", owner=owner)
    tabs = {"proposals": reverse("capa:proposals"), "suppliers": reverse("capa:suppliers"),
            "norms": reverse("capa:norms")}
    for user, shown in ((qms, set(tabs)), (manager, set(tabs)), (owner, set())):
        client.force_login(user)
        nav = BeautifulSoup(client.get(reverse("capa:list")).content, "html.parser").select_one("nav.capa-tabs")
        links = {a["href"] for a in nav.select("a")}
        assert reverse("capa:list") in links
        assert {tab for tab, url in tabs.items() if url in links} == shown, user
        assert access.tabs_shown(user) == {"records", *shown}


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
