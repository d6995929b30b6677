"""Near-duplicate candidates of a card, and the text signature each card is compared by."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from amends.complaints.models import Complaint


class TextSignature(models.Model):
    """The wording's sketch (see detector.py), kept so a check never re-reads other cards' text."""

    complaint = models.OneToOneField(
        Complaint, primary_key=True, on_delete=models.CASCADE, related_name="text_signature",
    )
    size = models.PositiveIntegerField()  # shingles in the whole wording
    sketch = models.BinaryField()  # the smallest shingle hashes, uint32 little-endian, ascending
    digest = models.CharField(max_length=40)  # SHA-1 of the normalised wording
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The latest cards of a digest are read from the index alone, however many share it.
        indexes = [models.Index(fields=["digest", "complaint"], name="duplicates_digest_latest")]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.size} shingles"


class SignatureBand(models.Model):
    """One locality-sensitive hashing key of a card's wording: the index similar wordings meet in."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+")
    key = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["key", "complaint"], name="duplicates_band_key")]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.key}"


class Reason(models.TextChoices):
    SAME_CONTACT = "same_contact", _("Same contact")
    SIMILAR_TEXT = "similar_text", _("Similar text, another customer")
    SAME_CONTACT_SAME_TEXT = "same_contact_same_text", _("Same contact, same text")
    SAME_ORDER = "same_order", _("Same order No.")


# A duplicate is the same customer's complaint sent again (DOMAIN.md §1): only these are offered as
# duplicates, and only the first may be linked automatically. Another customer's similar wording is
# a separate complaint, shown apart as a possible mass problem.
DUPLICATE_REASONS = frozenset({Reason.SAME_CONTACT_SAME_TEXT, Reason.SAME_CONTACT, Reason.SAME_ORDER})
SIMILAR_REASONS = frozenset({Reason.SIMILAR_TEXT})


class DuplicateCandidate(models.Model):
    """An earlier or open card that `complaint` may duplicate, found when it was registered."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="duplicate_candidates",
        verbose_name=_("complaint"),
    )
    candidate = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="+", verbose_name=_("possible original"),
    )
    score = models.FloatField(_("text similarity"))
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    dismissed = models.BooleanField(_("not a duplicate"), default=False)

    class Meta:
        verbose_name = _("duplicate candidate")
        verbose_name_plural = _("duplicate candidates")
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "candidate"], name="duplicates_candidate_unique"),
            models.CheckConstraint(
                condition=~models.Q(complaint=models.F("candidate")), name="duplicates_candidate_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} ~ {self.candidate_id} ({self.reason}, {self.score:.2f})"

    @property
    def is_duplicate(self) -> bool:
        return self.reason in DUPLICATE_REASONS


class SigningProgress(models.Model):
    """How far a re-signing of every card (`duplicates_index --all`) got: the next continues after it."""

    last_card = models.BigIntegerField(default=0)  # the primary key of the last card re-signed

    def __str__(self) -> str:
        return f"re-signed up to card {self.last_card}"
