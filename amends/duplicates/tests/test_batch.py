"""The worker's follow-up checks a batch of new cards at once: it finds and stores what checking each
card in turn would, its band keys read in one statement whatever the batch's size."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from amends.complaints.choices import State
from amends.complaints.models import Complaint
from amends.customers.services import contact_create
from amends.duplicates import detector, services
from amends.duplicates.models import DuplicateCandidate, Reason, SignatureBand, TextSignature
from amends.duplicates.services import duplicates_store, duplicates_store_many

from .conftest import copies
from .samples import EN, EN_OTHER, EN_RESENT, RU, RU_OTHER, RU_RESENT

pytestmark = pytest.mark.django_db


def stored(cards) -> dict:
    """What a check leaves of each card: its candidates, signature and band keys."""
    return {
        card.number: (
            sorted(DuplicateCandidate.objects.filter(complaint=card).values_list(
                "candidate__number", "reason", "score",
            )),
            TextSignature.objects.filter(complaint=card).values_list("size", "digest").first(),
            sorted(SignatureBand.objects.filter(complaint=card).values_list("key", flat=True)),
        )
        for card in cards
    }


def forget(cards) -> None:
    for model in (DuplicateCandidate, SignatureBand, TextSignature):
        model.objects.filter(complaint__in=cards).delete()


@override_settings(AMENDS_DUPLICATE_AUTO_LINK_HOURS=0)
def test_a_batch_finds_what_checking_each_card_in_turn_finds(register, contact, other_contact):
    third = contact_create(full_name="Анна", email="anna@example.ru")
    register(RU, contact=contact)
    register(EN, contact=other_contact, order_reference="A-4512")
    register(RU_OTHER, contact=third)
    new = [
        register(RU_RESENT, contact=other_contact, check=False),
        register(EN_RESENT, contact=third, order_reference="A-4512", check=False),
        register(RU_RESENT, contact=third, check=False),  # like the first of this batch
        register(EN_OTHER, contact=contact, check=False),
        register("?!", contact=contact, check=False),  # no words: only the customer's cards
    ]
    duplicates_store_many(new)
    batch = stored(new)
    assert {reason for found, _signature, _bands in batch.values() for _number, reason, _score in found} == {
        Reason.SIMILAR_TEXT, Reason.SAME_ORDER, Reason.SAME_CONTACT,
    }
    forget(new)
    for card in new:
        duplicates_store(complaint=card)
    assert stored(new) == batch


def test_the_band_keys_of_a_batch_are_read_in_one_statement_however_many(register, contact, other_contact):
    register(RU, contact=contact)
    # 60 wordings of their own: over 3,000 band keys, more than a compound statement may hold.
    new = [register(f"{text} ({n})", contact=other_contact, check=False)
           for n in range(15) for text in (RU_RESENT, EN, EN_OTHER, RU_OTHER)]
    with CaptureQueriesContext(connection) as queries:
        duplicates_store_many(new)
    band_reads = [q["sql"] for q in queries.captured_queries
                  if "duplicates_signatureband" in q["sql"] and q["sql"].startswith("SELECT")]
    assert len(band_reads) == 1


def test_a_batch_reads_the_latest_cards_of_each_key_and_no_more(register, contact, other_contact, monkeypatch):
    monkeypatch.setattr(services, "MAX_KEY_CARDS", 5)
    first = register(RU, contact=contact, check=False)
    sharers = copies(register(EN_OTHER, contact=other_contact, check=False), 12)
    signature = detector.signature(first.wording)
    SignatureBand.objects.bulk_create([SignatureBand(complaint=card, key=signature.bands[0]) for card in sharers])
    TextSignature.objects.bulk_create([
        TextSignature(complaint=card, size=1, sketch=b"", digest=signature.digest) for card in sharers[:3]
    ])
    band, digest = ("band", signature.bands[0]), ("digest", signature.digest)

    found, scope = services._latest_sharers_many({band, digest, ("band", 12345)})

    assert found == {band: [card.pk for card in reversed(sharers[-5:])],
                     digest: [card.pk for card in reversed(sharers[:3])]}
    assert scope == {card.pk: (card.state, card.received_at) for card in sharers[:3] + sharers[-5:]}


def test_a_batch_finds_a_closed_card_received_within_the_window(register, contact):
    """A closed card is weighed by its time of receipt, read by a raw statement: an aware time."""
    closed = register(RU, contact=contact)
    Complaint.objects.filter(pk=closed.pk).update(state=State.CLOSED)
    again = register(RU_RESENT, contact=contact, check=False)
    duplicates_store_many([again])
    assert DuplicateCandidate.objects.filter(complaint=again, candidate=closed).exists()


def test_the_same_text_sent_twice_in_one_batch_is_linked(register, contact):
    first, again = (register(RU, contact=contact, check=False) for _ in range(2))
    duplicates_store_many([first, again])
    first.refresh_from_db()
    again.refresh_from_db()
    assert first.state == State.REGISTERED and again.state == State.DUPLICATE


def test_signatures_are_written_in_the_order_of_the_cards(register, contact):
    """Two workers signing some of the same cards then wait for each other, never each for the other."""
    first, second = register(RU, contact=contact, check=False), register(EN, contact=contact, check=False)
    written = []

    def record(execute, sql, params, many, context):
        if many and "duplicates_textsignature" in sql:
            written.extend(row[0] for row in params)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        services.signatures_write({card.pk: detector.signature(card.wording) for card in (second, first)})
    assert written == [first.pk, second.pk]
