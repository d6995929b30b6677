"""The registration path does not slow down as the card table grows (issue: popular band keys).

Some band keys are shared by thousands of cards (common phrasing, templates); the check must read
a bounded number of rows for them.
"""

import pytest
from django.db import connection

from amends.complaints.models import Complaint
from amends.duplicates import detector, services
from amends.duplicates.models import SignatureBand, TextSignature

from .conftest import copies
from .samples import EN_OTHER, RU, RU_RESENT

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="counts SQLite's virtual machine steps")


def share_key(cards: list[Complaint], key: int) -> None:
    SignatureBand.objects.bulk_create([SignatureBand(complaint=card, key=key) for card in cards])


def steps(function) -> int:
    """SQLite virtual machine steps (in hundreds) while `function` runs: grows with the rows read."""
    counted = [0]

    def count():
        counted[0] += 1
        return 0

    connection.ensure_connection()
    connection.connection.set_progress_handler(count, 100)
    try:
        function()
    finally:
        connection.connection.set_progress_handler(None, 100)
    return counted[0]


@sqlite_only
def test_a_band_key_shared_by_many_cards_costs_the_same_however_many(register, contact, other_contact, monkeypatch):
    monkeypatch.setattr(services, "MAX_KEY_CARDS", 20)
    original = register(RU, contact=contact)
    card = register(RU_RESENT, contact=None, check=False)
    signature = detector.signature(card.wording)
    popular = signature.bands[0]
    filler = register(EN_OTHER, contact=other_contact, check=False)

    def cost_with_sharers(count: int) -> int:
        share_key(copies(filler, count), popular)
        return steps(lambda: services._similar_text(services.Probe.of(card), signature))

    few = cost_with_sharers(40)
    many = cost_with_sharers(1000)  # now 1,040 cards share the key
    assert many < few * 1.3
    # The original still meets the new card on its other keys, ahead of the crowd.
    assert original.pk in services._similar_text(services.Probe.of(card), signature)


def test_the_candidates_of_a_popular_key_are_its_latest_cards_and_bounded(register, contact, other_contact,
                                                                          monkeypatch):
    monkeypatch.setattr(services, "MAX_KEY_CARDS", 5)
    monkeypatch.setattr(services, "MAX_SCORED", 8)
    card = register(RU_RESENT, contact=None, check=False)
    signature = detector.signature(card.wording)
    filler = register(EN_OTHER, contact=other_contact, check=False)
    sharers = copies(filler, 30)
    for key in signature.bands[:3]:
        share_key(sharers, key)

    assert services._similar_text(services.Probe.of(card), signature) == {c.pk for c in sharers[-5:]}



@sqlite_only
def test_each_key_is_a_bounded_range_of_its_index(db):
    """The keys go as one JSON array: SQLite reads each key's range of the index, never a table."""
    q = connection.ops.quote_name
    for model, column, value in ((SignatureBand, "key", 1), (TextSignature, "digest", "d")):
        table = q(model._meta.db_table)
        sql = services._sharers_of_each_sql(table, q(column), "")
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", [services._array_parameter([value])])
            plan = [row[-1] for row in cursor.fetchall()]
        assert [step for step in plan if step.startswith("SCAN")] == ["SCAN wanted VIRTUAL TABLE INDEX 1:"]
        index = next(ix.name for ix in model._meta.indexes if ix.fields[0] == column)
        assert f"SEARCH shared USING COVERING INDEX {index} ({column}=? AND complaint_id>?)" in plan
