"""The reports' figures against values worked out by hand here (and against plain SQL), on a known set
of answers with others outside the period or segment that must not count.

The set (threshold 8; criteria R reliability, D delivery, C courtesy, H handling; (score, importance)):

    #  customer  answered (Moscow)    R       D      C      H      Σimp Σs×i  K        recommends continues
    1  A         2026-01-10 12:00     9,10    7,8    10,3   6,9    30   230   7.6667   yes        yes
    2  A         2026-02-20 12:00     4,10    8,5    6,5    8,5    25   150   6        no         yes
    3  B         2026-03-31 23:30     3,10    10,1   10,1   10,1   13   60    4.6154   no         no
    4  B         2026-04-01 00:30     8,8     9,2    -      -      10   82    8.2      -          yes
    5  C         2026-05-15 12:00     5,10    6,4    7,6    9,10   30   206   6.8667   yes        -
    7  C         2026-06-30 23:00     9,3     5,1    -      -      4    32    8        yes        yes
  outside 2026-01-01..2026-06-30:
    6  A         2025-12-31 12:00     1,10    1,10   1,10   1,10   40   40    1        no         no
    8  A         2026-07-01 00:10     10,1    -      -      -      1    10    10       -          -

A: a commercial company in Yerevan; B: a state body in Gyumri; C: no organisation, lives in Lori.
Response 3 follows a card about the product "Battery". Suggestions: 1, 3, 6 and 8 (5's is blank).
"""

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.utils import timezone, translation

from amends.customers.models import Contact, OrganisationKind, Product
from amends.customers.services import contact_create
from amends.surveys.choices import ResponseSource
from amends.surveys.figures import (
    CriterionRow,
    by_quarter,
    by_segment,
    criterion_matrix,
    default_range,
    k_by_customer,
    k_by_customer_quarter,
    quarter_key,
    quarters,
    suggestions,
)
from amends.surveys.models import Criterion, QuestionnaireVersion, Response
from amends.surveys.recording import response_record
from amends.surveys.scoring import Rating
from amends.surveys.selectors import Segment, half_up, k_summary, mean_k, responses_in

pytestmark = pytest.mark.django_db

KEYS = {"R": "reliability", "D": "delivery", "C": "courtesy", "H": "handling"}
START, END = date(2026, 1, 1), date(2026, 6, 30)


def moscow(*parts: int) -> datetime:
    return timezone.make_aware(datetime(*parts))


def answer(version, customer, when, ratings, recommends=None, continues=None, suggestion="", complaint=None):
    criteria = {criterion.key: criterion.pk for criterion in version.criteria.all()}
    return response_record(
        version=version, contact=customer, source=ResponseSource.PAPER, language="ru", received_at=when,
        ratings={criteria[KEYS[letter]]: Rating(*pair) for letter, pair in ratings.items()},
        recommends=recommends, continues=continues, suggestion=suggestion, complaint=complaint,
    )


def record_known_answers(version, complaint) -> dict[str, Contact]:
    """The set of the module's docstring; returns the customers A, B, C."""
    a = contact_create(full_name="Анна Акопян", organisation_name="ООО «Арарат»")
    b = contact_create(full_name="Борис Бабаян", organisation_name="ГУП «Ширак»")
    c = contact_create(full_name="Карен Карапетян")
    for customer, kind, region in ((a, OrganisationKind.COMMERCIAL, "Yerevan"), (b, OrganisationKind.STATE, "Gyumri")):
        customer.organisation.kind, customer.organisation.region = kind, region
        customer.organisation.save()
    Contact.objects.filter(pk=c.pk).update(region="Lori")
    c.refresh_from_db()
    complaint.product = Product.objects.create(name="Аккумулятор", name_en="Battery")
    complaint.save(update_fields=["product"])
    answer(version, a, moscow(2026, 1, 10, 12), {"R": (9, 10), "D": (7, 8), "C": (10, 3), "H": (6, 9)},
           True, True, "Faster delivery, please")
    answer(version, a, moscow(2026, 2, 20, 12), {"R": (4, 10), "D": (8, 5), "C": (6, 5), "H": (8, 5)}, False, True)
    answer(version, b, moscow(2026, 3, 31, 23, 30), {"R": (3, 10), "D": (10, 1), "C": (10, 1), "H": (10, 1)},
           False, False, "Replace the batteries", complaint=complaint)
    answer(version, b, moscow(2026, 4, 1, 0, 30), {"R": (8, 8), "D": (9, 2)}, None, True)
    answer(version, c, moscow(2026, 5, 15, 12), {"R": (5, 10), "D": (6, 4), "C": (7, 6), "H": (9, 10)},
           True, None, "   ")
    answer(version, a, moscow(2025, 12, 31, 12), {"R": (1, 10), "D": (1, 10), "C": (1, 10), "H": (1, 10)},
           False, False, "Old news")
    answer(version, c, moscow(2026, 6, 30, 23), {"R": (9, 3), "D": (5, 1)}, True, True)
    answer(version, a, moscow(2026, 7, 1, 0, 10), {"R": (10, 1)}, suggestion="Too late")
    return {"A": a, "B": b, "C": c}


@pytest.fixture
def customers(version, complaint):
    return record_known_answers(version, complaint)


def test_the_known_answers_have_the_k_worked_out_in_the_docstring(customers):
    assert list(Response.objects.order_by("received_at").values_list("k", flat=True)) == [
        Decimal("1"), Decimal("7.6667"), Decimal("6"), Decimal("4.6154"), Decimal("8.2"), Decimal("6.8667"),
        Decimal("8"), Decimal("10"),
    ]


def test_the_matrix_means_each_criterion_over_the_responses_that_rated_it(customers):
    rows = criterion_matrix(responses_in(START, END))
    with translation.override("en"):
        named = criterion_matrix(responses_in(START, END))
    # R, rated by 1 2 3 4 5 7: scores 9 4 3 8 5 9 → 38/6 = 6.33; importances 10 10 10 8 10 3 → 51/6 = 8.50;
    # weights 10/30, 10/25, 10/13, 8/10, 10/30, 3/4 → 33.33 + 40 + 76.92 + 80 + 33.33 + 75 = 338.59 / 6 = 56.43;
    # k 3 + 1.6 + 2.3077 + 6.4 + 1.6667 + 6.75 = 21.7244 / 6 = 3.62. Importance ≥ 8 and score < 8: priority.
    # D, rated by the same six: scores 7 8 10 9 6 5 → 7.50; importances 8 5 1 2 4 1 → 3.50;
    # weights 26.67 + 20 + 7.69 + 20 + 13.33 + 25 = 112.69 / 6 = 18.78; k 1.8667 + 1.6 + 0.7692 + 1.8 + 0.8 + 1.25
    # = 8.0859 / 6 = 1.35.
    # C, rated by 1 2 3 5: scores 10 6 10 7 → 8.25; importances 3 5 1 6 → 3.75; weights 10 + 20 + 7.69 + 20
    # = 57.69 / 4 = 14.42; k 1 + 1.2 + 0.7692 + 1.4 = 4.3692 / 4 = 1.09.
    # H, rated by 1 2 3 5: scores 6 8 10 9 → 8.25; importances 9 5 1 10 → 6.25; weights 30 + 20 + 7.69 + 33.33
    # = 91.03 / 4 = 22.76; k 1.8 + 1.6 + 0.7692 + 3 = 7.1692 / 4 = 1.79.
    # Priority first, then by importance: R, H, C, D.
    assert rows == [
        CriterionRow("reliability", "Надёжность оборудования", 6, Decimal("6.33"), Decimal("8.50"),
                     Decimal("56.43"), Decimal("3.62"), True),
        CriterionRow("handling", "Скорость рассмотрения жалоб", 4, Decimal("8.25"), Decimal("6.25"),
                     Decimal("22.76"), Decimal("1.79"), False),
        CriterionRow("courtesy", "Вежливость персонала", 4, Decimal("8.25"), Decimal("3.75"),
                     Decimal("14.42"), Decimal("1.09"), False),
        CriterionRow("delivery", "Сроки поставки", 6, Decimal("7.50"), Decimal("3.50"),
                     Decimal("18.78"), Decimal("1.35"), False),
    ]
    assert [row.name for row in named] == [
        "Equipment reliability", "Speed of complaint handling", "Staff courtesy", "Delivery times",
    ]


def test_the_matrix_of_a_segment_counts_only_its_responses(customers):
    # B (state) in the range: 3 and 4. R: scores 3, 8 → 5.50; importances 10, 8 → 9.00; weights 76.92 + 80
    # → 78.46; k 2.3077 + 6.4 → 4.35. Priority. C: 3 only: 10, 1, 7.69, 0.77.
    rows = criterion_matrix(responses_in(START, END, Segment(organisation_kind=OrganisationKind.STATE)))
    by_key = {row.key: row for row in rows}
    assert rows[0].key == "reliability"
    assert by_key["reliability"] == CriterionRow(
        "reliability", "Надёжность оборудования", 2, Decimal("5.50"), Decimal("9.00"), Decimal("78.46"),
        Decimal("4.35"), True,
    )
    assert (by_key["courtesy"].responses, by_key["courtesy"].score, by_key["courtesy"].weight,
            by_key["courtesy"].contribution) == (1, Decimal("10.00"), Decimal("7.69"), Decimal("0.77"))


def test_a_score_of_exactly_the_threshold_is_not_a_priority(version):
    # One response: R 8/10, D 2/1 — R matters (10) and scores 8, not below 8.
    customer = contact_create(full_name="Давид Давтян")
    answer(version, customer, moscow(2026, 3, 1, 12), {"R": (8, 10), "D": (2, 1)})
    rows = criterion_matrix(Response.objects.all())
    assert [(row.key, row.priority) for row in rows] == [("reliability", False), ("delivery", False)]
    # A threshold of 8.5 makes it one.
    assert criterion_matrix(Response.objects.all(), Decimal("8.5"))[0].priority


def test_criteria_join_by_key_across_versions_named_by_the_latest(version, criteria):
    customer = contact_create(full_name="Ева Егорян")
    newer = QuestionnaireVersion.objects.create(
        questionnaire=version.questionnaire, number=2, published_at=timezone.now(),
    )
    Criterion.objects.create(version=newer, key="reliability", name="Надёжность", name_en="Reliability")
    draft = QuestionnaireVersion.objects.create(questionnaire=version.questionnaire, number=3)
    Criterion.objects.create(version=draft, key="reliability", name="Черновик", name_en="Draft")
    answer(version, customer, moscow(2026, 3, 1, 12), {"R": (4, 5), "D": (8, 5)})
    response_record(
        version=newer, contact=customer, source=ResponseSource.PHONE, language="ru",
        received_at=moscow(2026, 3, 2, 12), ratings={newer.criteria.get().pk: Rating(10, 7)},
    )
    rows = {row.key: row for row in criterion_matrix(Response.objects.all())}
    # reliability: v1 4/5 (weight 50 %, k 2), v2 10/7 (weight 100 %, k 10) → score 7, importance 6, weight 75, k 6.
    assert rows["reliability"] == CriterionRow(
        "reliability", "Надёжность", 2, Decimal("7.00"), Decimal("6.00"), Decimal("75.00"), Decimal("6.00"), False,
    )
    assert rows["delivery"].name == "Сроки поставки"


def test_the_matrix_takes_the_same_queries_for_one_response_or_many(customers, django_assert_num_queries):
    threshold, first = Decimal(8), Response.objects.earliest("received_at")
    with django_assert_num_queries(2):
        assert len(criterion_matrix(Response.objects.filter(pk=first.pk), threshold)) == 4
    with django_assert_num_queries(2):
        assert len(criterion_matrix(Response.objects.all(), threshold)) == 4


def test_no_responses_make_an_empty_matrix(version):
    assert criterion_matrix(Response.objects.none()) == []


def test_k_and_the_loyalty_of_the_range(customers):
    summary = k_summary(responses_in(START, END))
    # K 7.6667 + 6 + 4.6154 + 8.2 + 6.8667 + 8 = 41.3488 / 6 = 6.89; below 8: 1, 2, 3, 5.
    # Recommend: asked 1 2 3 5 7, "no" 2 and 3 → 40.0 % (> 20: breached);
    # keep working: asked 1 2 3 4 7, "no" 3 → 20.0 % (≤ 30).
    assert (summary.responses, summary.k, summary.below_threshold) == (6, Decimal("6.89"), 4)
    assert (summary.asked_recommend, summary.not_recommending) == (5, 2)
    assert summary.not_recommending_share == Decimal("40.0")
    assert (summary.asked_continue, summary.leaving, summary.leaving_share) == (5, 1, Decimal("20.0"))
    assert summary.recommending_norm_breached and not summary.leaving_norm_breached


def test_by_quarter_splits_at_midnight_in_the_company_time_zone(customers):
    rows = by_quarter(START, END)
    assert [(row.key, row.start, row.end) for row in rows] == [
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)), ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
    ]
    first, second = rows[0].summary, rows[1].summary
    # Q1: 1, 2, 3 (3 at 23:30 on 31 March) → K (7.6667 + 6 + 4.6154) / 3 = 6.09, all three below;
    # recommend: 2 of 3 say no (66.7 %), keep working: 1 of 3 (33.3 %: beyond 30, breached).
    assert (first.responses, first.k, first.below_threshold) == (3, Decimal("6.09"), 3)
    assert (first.not_recommending_share, first.leaving_share) == (Decimal("66.7"), Decimal("33.3"))
    assert first.recommending_norm_breached and first.leaving_norm_breached
    # Q2: 4 (00:30 on 1 April), 5, 7 → (8.2 + 6.8667 + 8) / 3 = 7.69, one below (5); nobody says no.
    assert (second.responses, second.k, second.below_threshold) == (3, Decimal("7.69"), 1)
    assert (second.asked_recommend, second.not_recommending, second.asked_continue, second.leaving) == (2, 0, 2, 0)


def test_by_quarter_lists_empty_quarters_and_clips_to_the_range(customers):
    rows = by_quarter(date(2026, 1, 15), date(2026, 12, 31))
    assert [(row.key, row.start, row.end, row.summary.responses) for row in rows] == [
        ("2026-Q1", date(2026, 1, 15), date(2026, 3, 31), 2),  # 1 (10 January) is before the range
        ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), 3),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), 1),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), 0),
    ]
    assert rows[3].summary.k is None and rows[3].summary.not_recommending_share is None
    assert rows[2].summary.k == Decimal("10.00")


def test_by_quarter_of_a_segment(customers):
    rows = by_quarter(START, END, Segment(region="Gyumri"))
    assert [(row.key, row.summary.responses, row.summary.k) for row in rows] == [
        ("2026-Q1", 1, Decimal("4.62")), ("2026-Q2", 1, Decimal("8.20")),
    ]


def test_quarters_of_a_range():
    assert quarters(date(2025, 11, 30), date(2026, 1, 1)) == [
        ("2025-Q4", date(2025, 11, 30), date(2025, 12, 31)), ("2026-Q1", date(2026, 1, 1), date(2026, 1, 1)),
    ]
    assert quarters(date(2026, 2, 1), date(2026, 1, 1)) == []
    assert quarter_key(date(2026, 12, 31)) == "2026-Q4"


def test_the_default_range_is_the_last_four_whole_quarters_and_the_current_one():
    assert default_range(date(2026, 12, 6)) == (date(2025, 10, 1), date(2026, 12, 6))
    assert default_range(date(2026, 1, 1)) == (date(2025, 1, 1), date(2026, 1, 1))


def test_by_segment_of_organisation_kind(customers):
    with translation.override("en"):
        rows = by_segment(responses_in(START, END), "organisation_kind")
    # commercial: 1, 2 → (7.6667 + 6) / 2 = 6.83335 → 6.83; state: 3, 4 → (4.6154 + 8.2) / 2 = 6.41;
    # not known (C, no organisation): 5, 7 → (6.8667 + 8) / 2 = 7.43.
    assert [(key, label, summary.responses, summary.k) for key, label, summary in rows] == [
        ("commercial", "Commercial company", 2, Decimal("6.83")),
        ("state", "State body or enterprise", 2, Decimal("6.41")),
        ("", "Not known", 2, Decimal("7.43")),
    ]
    state = rows[1][2]
    assert (state.below_threshold, state.not_recommending, state.asked_recommend, state.leaving) == (1, 1, 1, 1)


def test_by_segment_of_region_and_product(customers):
    regions = by_segment(responses_in(START, END), "region")
    assert [(key, label, summary.responses) for key, label, summary in regions] == [
        ("Gyumri", "Gyumri", 2), ("Lori", "Lori", 2), ("Yerevan", "Yerevan", 2),
    ]
    with translation.override("en"):
        products = by_segment(responses_in(START, END), "product")
    battery = Product.objects.get()
    assert [(key, label, summary.responses, summary.k) for key, label, summary in products] == [
        (str(battery.pk), "Battery", 1, Decimal("4.62")), ("", "Not known", 5, Decimal("7.35")),
    ]  # the rest: (7.6667 + 6 + 8.2 + 6.8667 + 8) / 5 = 36.7334 / 5 = 7.34668 → 7.35
    with pytest.raises(ValueError):
        by_segment(Response.objects.all(), "colour")


def test_k_by_customer_against_the_hand_and_sql(customers):
    a, b, c = customers["A"], customers["B"], customers["C"]
    found = k_by_customer(responses_in(START, END))
    assert found == {a.pk: Decimal("6.83"), b.pk: Decimal("6.41"), c.pk: Decimal("7.43")}
    # Over all time A also has 1 (2025) and 10 (July): (1 + 7.6667 + 6 + 10) / 4 = 24.6667 / 4 = 6.166675 → 6.17.
    everything = k_by_customer(Response.objects.all())
    assert everything[a.pk] == Decimal("6.17")
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_id, AVG(k) FROM surveys_response GROUP BY contact_id")
        by_sql = {contact: Decimal(str(mean)).quantize(Decimal("0.01")) for contact, mean in cursor.fetchall()}
    assert everything == by_sql


def test_k_by_customer_quarter_against_the_hand_and_sql(customers):
    a, b, c = customers["A"], customers["B"], customers["C"]
    found = k_by_customer_quarter(Response.objects.all())
    assert found == {
        (a.pk, "2025-Q4"): Decimal("1.00"), (a.pk, "2026-Q1"): Decimal("6.83"), (a.pk, "2026-Q3"): Decimal("10.00"),
        (b.pk, "2026-Q1"): Decimal("4.62"), (b.pk, "2026-Q2"): Decimal("8.20"),
        (c.pk, "2026-Q2"): Decimal("7.43"),
    }
    # The same in plain SQL, quarters cut at the company's midnights (UTC+3 for Moscow).
    bounds = [("2025-Q4", moscow(2025, 10, 1)), ("2026-Q1", moscow(2026, 1, 1)), ("2026-Q2", moscow(2026, 4, 1)),
              ("2026-Q3", moscow(2026, 7, 1)), ("", moscow(2026, 10, 1))]
    by_sql = {}
    with connection.cursor() as cursor:
        for (key, start), (_next, end) in zip(bounds, bounds[1:], strict=False):
            cursor.execute(
                "SELECT contact_id, AVG(k) FROM surveys_response WHERE received_at >= %s AND received_at < %s "
                "GROUP BY contact_id",
                [connection.ops.adapt_datetimefield_value(start), connection.ops.adapt_datetimefield_value(end)],
            )
            by_sql |= {(contact, key): Decimal(str(mean)).quantize(Decimal("0.01")) for contact, mean in cursor}
    assert found == by_sql


def test_the_mean_k_is_rounded_half_up_exactly(version):
    # K 8 and 7.25 (R 8/3, D 5/1: (24 + 5) / 4): the mean 7.625 is 7.63, not the banker's 7.62.
    customer = contact_create(full_name="Жанна Жамкочян")
    answer(version, customer, moscow(2026, 3, 1, 12), {"R": (9, 3), "D": (5, 1)})
    answer(version, customer, moscow(2026, 3, 2, 12), {"R": (8, 3), "D": (5, 1)})
    assert k_by_customer(Response.objects.all()) == {customer.pk: Decimal("7.63")}
    assert k_summary(Response.objects.all()).k == Decimal("7.63")
    assert mean_k(None, 0) is None
    assert (half_up(Fraction(7625, 1000)), half_up(Fraction(-1, 200)), half_up(Fraction(2, 3))) == (
        Decimal("7.63"), Decimal("0.00"), Decimal("0.67"),
    )


def test_suggestions_are_the_non_blank_ones_newest_first(customers):
    assert [response.suggestion for response in suggestions(responses_in(START, END))] == [
        "Replace the batteries", "Faster delivery, please",
    ]
    assert [response.suggestion for response in suggestions(Response.objects.all())] == [
        "Too late", "Replace the batteries", "Faster delivery, please", "Old news",
    ]


def test_the_matrix_of_responses_chosen_through_their_answers_counts_each_answer_once(version):
    customer = contact_create(full_name="Жанна Жукова")
    answer(version, customer, moscow(2026, 3, 1, 12), {"R": (4, 5), "D": (3, 5)})
    answer(version, customer, moscow(2026, 3, 2, 12), {"R": (10, 5), "D": (2, 5)})
    answer(version, customer, moscow(2026, 3, 3, 12), {"R": (9, 5), "D": (9, 5)})
    # Chosen through their answers: the first two responses (the first by two answers of 4 or less).
    # Each answer still counts once.
    chosen = Response.objects.filter(answers__score__lte=4).distinct()
    rows = {row.key: (row.responses, row.score) for row in criterion_matrix(chosen)}
    assert rows == {"reliability": (2, Decimal("7.00")), "delivery": (2, Decimal("2.50"))}
