"""The monthly meeting's record and its decisions: recorded by the head of the QMS (or an administrator),
each decision with an owner and a due date, followed up (a note, done or not) at the next meeting."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from amends.accounts.models import User

from .access import access_conclusions
from .models.reviews import MonthlyReview, ReviewDecision


@transaction.atomic
def review_record(*, actor: User, month: date, held_on: date | None, attendees: str, notes: str) -> MonthlyReview:
    """The meeting about `month` (its first day): created on the first record, updated after."""
    access_conclusions(actor)
    review, _created = MonthlyReview.objects.update_or_create(month=month, defaults={
        "held_on": held_on, "attendees": attendees.strip(), "notes": notes.strip(), "recorded_by": actor,
    })
    return review


def _review_of(actor: User, month: date) -> MonthlyReview:
    review, _created = MonthlyReview.objects.get_or_create(month=month, defaults={"recorded_by": actor})
    return review


@transaction.atomic
def decision_add(*, actor: User, month: date, text: str, owner: User, due_date: date) -> ReviewDecision:
    """A decision of the meeting about `month`; the meeting's record is made if there is none yet."""
    access_conclusions(actor)
    return ReviewDecision.objects.create(
        review=_review_of(actor, month), text=text.strip(), owner=owner, due_date=due_date, created_by=actor,
    )


@transaction.atomic
def decision_update(
    *, actor: User, decision: ReviewDecision, follow_up: str, done: bool, due_date: date | None = None,
) -> ReviewDecision:
    """The follow-up of a decision: what was done, done or not (the moment it was first marked done
    is kept), and a new due date when the meeting moves it."""
    access_conclusions(actor)
    decision = ReviewDecision.objects.select_for_update().get(pk=decision.pk)
    decision.follow_up = follow_up.strip()
    if not done:
        decision.done_at = None
    elif decision.done_at is None:
        decision.done_at = timezone.now()
    decision.due_date = due_date or decision.due_date
    decision.save(update_fields=["follow_up", "done_at", "due_date"])
    return decision
