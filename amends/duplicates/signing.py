"""Signing many cards at once (`duplicates_index`), with the same rows as `services.signatures_store`.

Cards are signed in batches by primary key, each read in full, signed outside any transaction and
written in a short committed one: registrations go on beside it, and an interrupted run continues
where it stopped. The cards still unsigned are found again; a re-signing of every card keeps how far
it got in its `SigningProgress` row, written in the same transactions as the batches.

When many cards are to be signed, the band-key index is dropped first and built once at the end
(indexes.py), even when a batch fails; the next run builds it if a killed run left it missing. The
cards registered during a run that built it were searched without band keys: they are searched again.
"""

from django.db import transaction
from django.db.models import Max

from amends.complaints.models import Complaint

from . import detector
from .indexes import band_index_drop, band_index_ensure
from .models import SigningProgress
from .services import duplicates_check
from .services import signatures_write as _signatures_write

BATCH_SIZE = 2000
# Signing at least this many cards, and at least this share of the table, drops the band-key index
# and builds it after. At 1,000,000 cards (bench/scale.py) a batch re-signed 300 cards a second with
# the index and 1,000 without it, and the index was built in under a minute; at 100,000 both ways
# took about as long for a quarter of the table.
BULK_MIN_CARDS = 20_000
BULK_MIN_SHARE = 0.25


def signatures_rebuild(*, only_missing: bool = True, batch_size: int = BATCH_SIZE) -> int:
    """Sign the cards without a signature, or every card (`only_missing=False`, after the detector
    changed; an interrupted one is continued by the next). Returns the number of cards signed."""
    progress = None if only_missing else (SigningProgress.objects.first() or SigningProgress.objects.create())
    cards = Complaint.objects.order_by("pk").values_list("pk", "wording")
    if only_missing:
        cards = cards.filter(text_signature__isnull=True)
    last = progress.last_card if progress else 0
    to_sign = cards.filter(pk__gt=last).count()
    bulk = to_sign >= BULK_MIN_CARDS and to_sign >= BULK_MIN_SHARE * Complaint.objects.count()
    newest = Complaint.objects.aggregate(newest=Max("pk"))["newest"]
    if bulk:
        band_index_drop()
    done = 0
    try:
        while batch := list(cards.filter(pk__gt=last)[:batch_size]):
            done += _batch_sign(batch, progress)
            last = batch[-1][0]
    finally:
        built = band_index_ensure()
    if built:  # the cards registered meanwhile were searched without band keys
        for complaint in Complaint.objects.filter(pk__gt=newest).select_related("contact"):
            duplicates_check(complaint=complaint)
    if progress:
        progress.delete()
    return done


def _batch_sign(batch: list[tuple[int, str]], progress: SigningProgress | None) -> int:
    signatures = {pk: detector.signature(wording) for pk, wording in batch}
    with transaction.atomic():
        # A card reworded or removed since it was read: signed again here, or left out.
        current = dict(Complaint.objects.filter(pk__in=signatures).values_list("pk", "wording"))
        read = dict(batch)
        signatures = {
            pk: signature if current[pk] == read[pk] else detector.signature(current[pk])
            for pk, signature in signatures.items() if pk in current
        }
        _signatures_write(signatures)
        if progress:
            SigningProgress.objects.filter(pk=progress.pk).update(last_card=batch[-1][0])
    return len(signatures)
