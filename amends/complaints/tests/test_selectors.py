"""The complaint list: filters, search, sorting and a query count that does not grow with rows."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amends.accounts.models import User
from amends.complaints.choices import Channel, Importance
from amends.complaints.choices import State as S
from amends.complaints.models import Category, Measure
from amends.complaints.selectors import ComplaintFilter, complaint_get, complaint_list
from amends.complaints.services import complaint_transition, measure_report
from amends.customers.services import contact_create

MSK = ZoneInfo("Europe/Moscow")


def category(name_en, parent=False):
    return Category.objects.get(name_en=name_en, parent__isnull=not parent)


@pytest.fixture
def rows(settings, register, walk, contact, qms, operator2, responsible, responsible2, executor):
    """Cards with known attributes, keyed by a short name."""
    settings.TIME_ZONE = "Europe/Moscow"
    petrova = contact_create(full_name="Петрова Мария", phone="+7 903 111-22-33",
                             email="Petrova@Mail.example")
    made = {}
    made["late"] = register(
        channel=Channel.PHONE, importance=Importance.LOW, contact=contact,
        category=category("Late delivery", parent=True), order_reference="ORD-77",
        received_at=datetime(2025, 1, 10, 10, 0, tzinfo=MSK), wording="Доставка опоздала",
    )
    # 01:00 in Moscow on 15 Feb is still 14 Feb in UTC.
    made["rude"] = register(
        channel=Channel.EMAIL, importance=Importance.CRITICAL, contact=petrova,
        category=category("Delivery"), received_at=datetime(2025, 2, 15, 1, 0, tzinfo=MSK),
        wording="Грубый курьер бросил коробку",
    )
    complaint_transition(complaint=made["rude"], name="assign", actor=qms,
                         data={"responsible": responsible2})
    # 00:30 in Moscow on 1 Mar is 28 Feb in UTC.
    made["internal"] = register(
        actor=operator2, channel=Channel.INTERNAL, importance=Importance.HIGH, contact=None,
        category=category("Rudeness", parent=True),
        received_at=datetime(2025, 3, 1, 0, 30, tzinfo=MSK),
        wording="Сотрудник не перезвонил клиенту",
    )
    in_april = [datetime(2025, 4, day, 12, 0, tzinfo=MSK) for day in (1, 2, 3, 4)]
    for key, received in zip(("overdue", "on_time", "done_late", "dup_late"), in_april,
                             strict=True):
        made[key] = walk(register(channel=Channel.LETTER, received_at=received, contact=None,
                                  wording=f"Письмо {key}"), S.IN_PROGRESS)
    past = timezone.localdate() - timedelta(days=3)
    # Time passes: three measures are now past their due date.
    Measure.objects.filter(complaint__in=[made["overdue"], made["done_late"], made["dup_late"]]
                           ).update(due_date=past)
    measure_report(measure=made["done_late"].measures.get(), actor=executor, report="Сделано")
    complaint_transition(complaint=made["dup_late"], name="mark_duplicate", actor=qms,
                         data={"original_number": made["overdue"].number})
    for complaint in made.values():
        complaint.refresh_from_db()
    return made


def listed(user, **filters) -> list[str]:
    user = User.objects.get(pk=user.pk)
    return [c.number for c in complaint_list(user, ComplaintFilter(**filters))]


def keys(rows, numbers) -> set[str]:
    by_number = {c.number: key for key, c in rows.items()}
    return {by_number[n] for n in numbers}


def test_no_filter_lists_every_visible_card_newest_first(rows, qms):
    numbers = listed(qms)
    assert len(numbers) == len(rows)
    by_received = sorted(rows.values(), key=lambda c: c.received_at, reverse=True)
    assert numbers == [c.number for c in by_received]


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"state": S.IN_PROGRESS}, {"overdue", "on_time", "done_late"}),
        ({"state": S.ASSIGNED}, {"rude"}),
        ({"state": S.DUPLICATE}, {"dup_late"}),
        ({"channel": Channel.PHONE}, {"late"}),
        ({"channel": Channel.INTERNAL}, {"internal"}),
        ({"channel": Channel.LETTER}, {"overdue", "on_time", "done_late", "dup_late"}),
        ({"importance": Importance.CRITICAL}, {"rude"}),
        ({"importance": Importance.MEDIUM}, {"overdue", "on_time", "done_late", "dup_late"}),
        ({"overdue": True}, {"overdue"}),
        ({"overdue": False}, {"late", "rude", "internal", "overdue", "on_time", "done_late",
                              "dup_late"}),
        ({"state": S.IN_PROGRESS, "channel": Channel.PHONE}, set()),
        ({"channel": Channel.LETTER, "overdue": True}, {"overdue"}),
    ],
)
def test_exact_filters(rows, qms, filters, expected):
    assert keys(rows, listed(qms, **filters)) == expected


def test_category_filter_includes_its_subcategories(rows, qms):
    delivery = category("Delivery")
    assert keys(rows, listed(qms, category=delivery.pk)) == {"late", "rude"}
    late = category("Late delivery", parent=True)
    assert keys(rows, listed(qms, category=late.pk)) == {"late"}
    staff = category("Staff behaviour")
    assert keys(rows, listed(qms, category=staff.pk)) == {"internal"}
    billing = category("Billing")
    assert listed(qms, category=billing.pk) == []


def test_responsible_filter(rows, qms, responsible, responsible2):
    assert keys(rows, listed(qms, responsible=responsible2.pk)) == {"rude"}
    assert keys(rows, listed(qms, responsible=responsible.pk)) == {
        "overdue", "on_time", "done_late", "dup_late",
    }


@pytest.mark.parametrize(
    "received_from, received_to, expected",
    [
        (date(2025, 2, 15), date(2025, 2, 28), {"rude"}),
        (date(2025, 2, 16), date(2025, 2, 28), set()),
        (date(2025, 3, 1), date(2025, 3, 1), {"internal"}),
        (date(2025, 1, 10), date(2025, 1, 10), {"late"}),
        (None, date(2025, 2, 14), {"late"}),
        (date(2025, 4, 2), None, {"on_time", "done_late", "dup_late"}),
        (date(2025, 4, 2), date(2025, 4, 3), {"on_time", "done_late"}),
    ],
)
def test_date_range_uses_local_dates_and_includes_both_ends(
    rows, qms, received_from, received_to, expected,
):
    numbers = listed(qms, received_from=received_from, received_to=received_to)
    assert keys(rows, numbers) == expected


@pytest.mark.parametrize(
    "q, expected",
    [
        ("курьер", {"rude"}),
        ("Петрова", {"rude"}),
        ("Ромашка", {"late"}),
        ("Иванов", {"late"}),
        ("petrova@mail", {"rude"}),
        ("PETROVA@MAIL.EXAMPLE", {"rude"}),
        ("111-22", {"rude"}),
        ("ord-77", {"late"}),
        ("  Доставка опоздала  ", {"late"}),
        ("нет такого текста", set()),
        ("   ", {"late", "rude", "internal", "overdue", "on_time", "done_late", "dup_late"}),
    ],
)
def test_search(rows, qms, q, expected):
    assert keys(rows, listed(qms, q=q)) == expected


def test_search_by_number(rows, qms):
    number = rows["internal"].number
    assert keys(rows, listed(qms, q=number)) == {"internal"}
    assert keys(rows, listed(qms, q=number[-6:])) == {"internal"}


def test_filters_never_widen_visibility(rows, operator2, responsible2):
    assert keys(rows, listed(operator2)) == {"internal"}
    assert keys(rows, listed(operator2, q="курьер")) == set()
    assert keys(rows, listed(operator2, channel=Channel.INTERNAL)) == {"internal"}
    assert keys(rows, listed(responsible2)) == {"rude"}
    assert keys(rows, listed(responsible2, overdue=True)) == set()


@pytest.mark.parametrize(
    "sort, key",
    [
        ("received", lambda c: (c.received_at,)),
        ("-received", lambda c: (-c.received_at.timestamp(),)),
        ("number", lambda c: (c.number,)),
        ("-number", lambda c: tuple(-ord(ch) for ch in c.number)),
        ("state", lambda c: (list(S.values).index(c.state), -c.pk)),
        ("-state", lambda c: (-list(S.values).index(c.state), -c.pk)),
        ("importance",
         lambda c: (list(Importance.values).index(c.importance), -c.pk)),
        ("-importance",
         lambda c: (-list(Importance.values).index(c.importance), -c.pk)),
        ("no-such-sort", lambda c: (-c.received_at.timestamp(),)),
    ],
)
def test_sorting(rows, qms, sort, key):
    expected = [c.number for c in sorted(rows.values(), key=key)]
    assert listed(qms, sort=sort) == expected


def test_importance_sorts_by_severity_not_alphabet(rows, qms):
    ranks = [
        {"low": 0, "medium": 1, "high": 2, "critical": 3}[c.importance]
        for c in complaint_list(qms, ComplaintFilter(sort="-importance"))
    ]
    assert ranks == sorted(ranks, reverse=True)
    assert ranks[0] == 3 and ranks[-1] == 0


def _render_rows(user) -> int:
    """Evaluate the list as its page does and count the queries."""
    with CaptureQueriesContext(connection) as queries:
        for complaint in complaint_list(User.objects.get(pk=user.pk), ComplaintFilter()):
            (complaint.number, complaint.customer_name, str(complaint.category or ""),
             str(complaint.responsible or ""), complaint.get_state_display(),
             complaint.get_importance_display(), complaint.is_open)
    return len(queries)


@pytest.mark.parametrize("user", ["qms", "operator", "executor"])
def test_the_list_query_count_does_not_grow_with_rows(request, register, walk, user):
    actor = request.getfixturevalue(user)
    child = category("Late delivery", parent=True)
    walk(register(category=child), S.IN_PROGRESS)
    register(category=child)
    few = _render_rows(actor)
    for i in range(6):
        complaint = register(category=child if i % 2 else None, wording=f"Ещё {i}")
        if i < 3:
            walk(complaint, S.IN_PROGRESS)
    assert complaint_list(actor, ComplaintFilter()).count() > 2
    assert _render_rows(actor) == few


def test_complaint_get_loads_the_card_in_one_query_and_a_set_seldom_reference_in_one_more(complaint, qms, walk):
    walk(complaint, S.DECIDED)
    complaint.refresh_from_db()
    assert complaint.cause_id and not complaint.department_concerned_id
    user = User.objects.get(pk=qms.pk)
    user.roles  # noqa: B018 - load the roles first
    with CaptureQueriesContext(connection) as queries:
        card = complaint_get(user, complaint.number)
        (card.customer_name, str(card.responsible), str(card.registered_by), card.contact.phone,
         card.category, card.product, card.organisation, card.duplicate_of, card.department_concerned,
         card.component, card.supplier)
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        assert card.cause.pk == complaint.cause_id
    assert len(queries) == 1


def test_search_by_phone_however_typed(qms, complaint):
    assert [c.number for c in complaint_list(qms, ComplaintFilter(q="8 912 345-67"))] == [complaint.number]
    assert [c.number for c in complaint_list(qms, ComplaintFilter(q="иванов"))] == [complaint.number]
