"""One truth for loyalty: the closing records of the customer's cards and their survey responses,
kept apart, read together (history.py), and K through time as a line (charts.py)."""

from datetime import timedelta
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.utils import timezone, translation

from amends.complaints.choices import Loyalty
from amends.complaints.services import complaint_transition
from amends.surveys.charts import k_line
from amends.surveys.history import CLOSING, SURVEY, closing_loyalty, k_history, loyalty_history

from .history_helpers import card_closed, card_decided_and_answered, other, story  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
SVG = {"svg": "http://www.w3.org/2000/svg"}


def test_the_history_reads_the_closing_records_and_the_responses_together_newest_first(story, responsible, qms):  # noqa: F811 - fixtures
    entries = loyalty_history(story["closed"].contact)
    assert [(entry.kind, entry.complaint, entry.response) for entry in entries] == [
        (CLOSING, story["closed"], None),
        (SURVEY, story["closed"], story["by_link"]),
        (SURVEY, None, story["on_paper"]),
    ]
    closing, by_link, on_paper = entries
    # The closing record: who recorded it, when, on which card; stays but would not recommend.
    assert (closing.recorded_by, closing.satisfaction, closing.loyalty) == (responsible, 7, Loyalty.STAYS)
    assert closing.k is None
    assert (closing.recommends, closing.continues, closing.at) == (False, True, story["closed"].closed_at)
    # The customer's own answers: through the link (nobody typed them), and on paper typed in by the QMS head.
    with translation.override("en"):
        assert (by_link.recorded_by, str(by_link.how), by_link.k) == (None, "Personal link", Decimal("7.6667"))
        assert (str(closing.how), str(on_paper.how)) == ("Recorded at closing", "Paper form by post")
    assert (by_link.recommends, by_link.continues, by_link.suggestion) == (False, True, "Звоните заранее")
    assert (on_paper.recorded_by, on_paper.k, on_paper.recommends) == (qms, Decimal("8.0000"), True)


def test_a_card_closed_without_reaching_the_customer_says_nothing_of_theirs(story, contact):  # noqa: F811 - fixtures
    cards = {entry.complaint.wording for entry in loyalty_history(contact) if entry.kind == CLOSING}
    assert cards == {"Сломался насос."}


def test_a_reopened_card_holds_the_closing_record_of_its_last_closing(story, contact, qms, responsible):  # noqa: F811 - fixtures
    card = complaint_transition(complaint=story["closed"], name="reopen", actor=qms, comment="Повторный сбой")
    assert [entry.kind for entry in loyalty_history(contact)] == [SURVEY, SURVEY]
    card = card_closed(card_decided_and_answered(card, responsible), qms, satisfaction=9, loyalty=Loyalty.RECOMMENDS)
    closing = loyalty_history(contact)[0]
    assert (closing.kind, closing.recorded_by, closing.satisfaction, closing.at) == (CLOSING, qms, 9, card.closed_at)
    assert (closing.recommends, closing.continues) == (True, True)


def test_k_history_is_the_customers_responses_oldest_first_as_sql_reads_them(story, contact):  # noqa: F811 - fixtures
    history = k_history(contact)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, received_at, k FROM surveys_response WHERE contact_id = %s ORDER BY received_at", [contact.pk],
        )
        rows = cursor.fetchall()
    assert [(response.pk, Decimal(k)) for _at, k, response in history] == [
        (pk, Decimal(str(k)).quantize(Decimal("0.0001"))) for pk, _at, k in rows  # SQLite reads a float
    ]
    assert [k for _at, k, _response in history] == [Decimal("8.0000"), Decimal("7.6667")]
    assert [at for at, _k, _response in history] == [story["on_paper"].received_at, story["by_link"].received_at]


def test_a_customer_with_nothing_said_has_an_empty_history(other, contact):  # noqa: F811 - fixtures
    assert loyalty_history(contact) == [] and k_history(contact) == []


@pytest.mark.parametrize(("loyalty", "said"), [
    (Loyalty.RECOMMENDS, (True, True)), (Loyalty.STAYS, (False, True)), (Loyalty.LEAVES, (None, False)),
    ("", (None, None)),
])
def test_the_closing_loyalty_answers_the_surveys_two_questions(loyalty, said):
    assert closing_loyalty(loyalty) == said


def test_the_k_line_puts_each_response_on_the_1_to_10_scale_with_the_threshold_dashed():
    now = timezone.now()
    drawing = k_line([(now - timedelta(days=9), Decimal("7.6667")), (now, Decimal("9.0000"))],
                     threshold=Decimal(8), title="K <Иванов>")
    root = ElementTree.fromstring(str(drawing))
    assert root.find("svg:title", SVG).text == "K <Иванов>"
    threshold = root.find("svg:line[@class='k-threshold']", SVG)
    # The plot runs from y=12 (K 10) to y=156 (K 0): K 8 is 12 + 144 × 0.2.
    assert threshold.get("y1") == "40.8"
    points = [tuple(map(float, pair.split(","))) for pair in root.find("svg:polyline", SVG).get("points").split()]
    assert points == [(30.0, pytest.approx(12 + 144 * (1 - 7.6667 / 10), abs=0.05)), (468.0, pytest.approx(26.4))]
    colours = [circle.get("fill") for circle in root.findall("svg:circle", SVG)]
    assert colours == ["#b91c1c", "#2e86c1"]  # below the threshold in red


def test_one_response_is_one_point_and_no_line():
    root = ElementTree.fromstring(str(k_line([(timezone.now(), Decimal(8))], threshold=Decimal(8), title="K")))
    assert root.find("svg:polyline", SVG) is None
    assert [circle.get("fill") for circle in root.findall("svg:circle", SVG)] == ["#2e86c1"]  # K = 8 is not below
