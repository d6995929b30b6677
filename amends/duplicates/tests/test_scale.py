"""The registration path does not slow down as the card table grows (issue: popular band keys).

Some band keys are shared by thousands of cards (common phrasing, templates); the check must read
a bounded number of rows for them, and signing a grown table must finish, batch by batch.
"""

import copy

import pytest
from django.db import DatabaseError, connection
from django.db.models import Max

from amends.complaints.models import Complaint, new_tracking_code
from amends.duplicates import detector, services
from amends.duplicates.models import SignatureBand, TextSignature

from .samples import EN, EN_OTHER, RU, RU_RESENT

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="counts SQLite's virtual machine steps")


def copies(source: Complaint, count: int) -> list[Complaint]:
    """Valid cards in bulk: copies of a registered one under new numbers."""
    start = Complaint.objects.aggregate(last=Max("pk"))["last"]
    cards = []
    for i in range(count):
        card = copy.copy(source)
        card.pk = card.id = None
        card._state = copy.copy(source._state)
        card._state.adding = True
        card.number = f"T-{start + i + 1:07d}"
        card.tracking_code = new_tracking_code()
        cards.append(card)
    return Complaint.objects.bulk_create(cards)


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
        return steps(lambda: services._similar_text(card, signature))

    few = cost_with_sharers(40)
    many = cost_with_sharers(1000)  # now 1,040 cards share the key
    assert many < few * 1.3
    # The original still meets the new card on its other keys, ahead of the crowd.
    assert original.pk in services._similar_text(card, signature)


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

    assert services._similar_text(card, signature) == {c.pk for c in sharers[-5:]}
    sharers_sql, params = services._latest_sharers_sql(signature.bands, signature.digest)
    with connection.cursor() as cursor:
        cursor.execute(sharers_sql, params)
        assert len(cursor.fetchall()) <= 5 * (len(signature.bands) + 1)


def unsigned_cards(register, contact, count: int) -> list[Complaint]:
    first = register(EN, contact=contact, check=False)
    cards = [first, *copies(first, count - 1)]
    assert not TextSignature.objects.exists()
    return cards


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data_restored")  # an earlier transactional test flushed the roles
def test_signing_continues_where_an_interrupted_run_stopped(register, contact, monkeypatch):
    """Each batch is committed: SQLite's checkpoint after a commit failed with "database table is
    locked" while the signing still held a read open on the same connection."""
    from amends.core.sqlite import base

    monkeypatch.setattr(base, "CHECKPOINT_EVERY_COMMITS", 1)
    cards = unsigned_cards(register, contact, 23)
    store, batches = services.signatures_store, []

    def fail_on_the_fourth_batch(batch):
        batches.append([c.pk for c in batch])
        if len(batches) == 4:
            raise DatabaseError("interrupted")
        return store(batch)

    monkeypatch.setattr(services, "signatures_store", fail_on_the_fourth_batch)
    with pytest.raises(DatabaseError, match="interrupted"):
        services.signatures_rebuild(batch_size=4)
    # Three batches committed, in key order; the fourth rolled back.
    signed = set(TextSignature.objects.values_list("complaint_id", flat=True))
    assert signed == {pk for batch in batches[:3] for pk in batch} == {c.pk for c in cards[:12]}

    monkeypatch.setattr(services, "signatures_store", store)
    assert services.signatures_rebuild(batch_size=4) == 11  # only those still unsigned
    assert TextSignature.objects.count() == 23
    assert SignatureBand.objects.filter(complaint=cards[-1]).count() == len(detector.signature(EN).bands)
